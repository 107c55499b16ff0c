import Foundation
import Testing
import VigilAnalytics
import VigilVision

/// The census on hand-made objects: no video, no tracker.
@Suite("Objects by class per zone")
struct ObjectCensusTests {
    static let left = Polygon([Point(x: 0, y: 0), Point(x: 0.5, y: 0), Point(x: 0.5, y: 1), Point(x: 0, y: 1)])
    static let lowerRight = Polygon([Point(x: 0.4, y: 0.5), Point(x: 1, y: 0.5), Point(x: 1, y: 1), Point(x: 0.4, y: 1)])

    @Test("each object counts once in the frame and once in every zone that holds its ground point")
    func zones() {
        var census = ObjectCensus(zones: [("left", Self.left), ("lower right", Self.lowerRight)])
        census.count([
            .init(objectClass: .vehicle, anchor: Point(x: 0.2, y: 0.3)),   // left only
            .init(objectClass: .vehicle, anchor: Point(x: 0.45, y: 0.8)),  // both zones overlap here
            .init(objectClass: .person, anchor: Point(x: 0.8, y: 0.9)),    // lower right only
            .init(objectClass: .unknown, anchor: Point(x: 0.8, y: 0.2)),   // no zone
        ])
        #expect(census.frame == ObjectCensus.Counts(person: 1, vehicle: 2, unknown: 1))
        #expect(census.perZone == [ObjectCensus.Counts(person: 0, vehicle: 2, unknown: 0),
                                   ObjectCensus.Counts(person: 1, vehicle: 1, unknown: 0)])
    }

    @Test("a new frame's census replaces the last one; an empty frame counts zero")
    func replaces() {
        var census = ObjectCensus(zones: [("left", Self.left)])
        census.count([.init(objectClass: .person, anchor: Point(x: 0.1, y: 0.5)), .init(objectClass: .person, anchor: Point(x: 0.2, y: 0.5))])
        #expect(census.frame.person == 2 && census.perZone[0].person == 2)
        census.count([.init(objectClass: .vehicle, anchor: Point(x: 0.9, y: 0.5))])
        #expect(census.frame == ObjectCensus.Counts(vehicle: 1))
        #expect(census.perZone[0].total == 0)
        census.count([])
        #expect(census.frame.total == 0)
    }

    @Test("counts encode every class, also the ones at zero, so a dashboard reads fixed keys")
    func encoding() throws {
        let data = try JSONEncoder().encode(ObjectCensus.Counts(vehicle: 3))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Int])
        #expect(object == ["person": 0, "vehicle": 3, "unknown": 0])
    }
}
