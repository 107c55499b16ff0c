import Hummingbird

/// Finds the request's user from its session cookie. With no users configured every
/// request is the local operator (only allowed on loopback, see `ConsoleOptions`).
/// API calls, pictures and snapshots need a user; the page and its files do not (the page
/// shows the sign-in form itself).
struct AuthMiddleware: RouterMiddleware {
    let sessions: SessionStore
    let open: Bool
    static let cookieName = "vigil_session"
    static let publicPaths: Set<String> = ["/api/session", "/api/login", "/api/logout", "/healthz"]

    func handle(_ request: Request, context: ConsoleContext, next: (Request, ConsoleContext) async throws -> Response) async throws -> Response {
        var context = context
        if open {
            context.user = ConsoleUser(name: "local", role: .operator)
        } else if let token = request.cookies[Self.cookieName]?.value, let user = sessions.user(for: token) {
            context.user = user
            context.sessionToken = token
        }
        let path = request.uri.path
        let needsUser = (path.hasPrefix("/api/") || path.hasPrefix("/snapshots/") || path.hasPrefix("/clips/")) && !Self.publicPaths.contains(path)
        if needsUser && context.user == nil {
            return try JSONResponse.make(["error": "sign in first"], status: .unauthorized)
        }
        return try await next(request, context)
    }
}
