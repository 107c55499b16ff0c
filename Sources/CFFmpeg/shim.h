#ifndef VIGIL_CFFMPEG_SHIM_H
#define VIGIL_CFFMPEG_SHIM_H

#include <errno.h>
#include <stdint.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libavutil/time.h>

// FFmpeg's error codes are function-like macros, which Swift cannot import.
static inline int vigil_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int vigil_averror_eof(void) { return AVERROR_EOF; }
static inline int vigil_averror_exit(void) { return AVERROR_EXIT; }
static inline int vigil_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int64_t vigil_av_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline int vigil_averror_http_bad_request(void) { return AVERROR_HTTP_BAD_REQUEST; }
static inline int vigil_averror_http_other_4xx(void) { return AVERROR_HTTP_OTHER_4XX; }
static inline int vigil_averror_eprotonosupport(void) { return AVERROR(EPROTONOSUPPORT); }
static inline int vigil_averror_http_server_error(void) { return AVERROR_HTTP_SERVER_ERROR; }

// State read by FFmpeg's blocking I/O through AVIOInterruptCB. A deadline in
// av_gettime_relative() microseconds (0 = none) and an abort flag that another
// thread may raise; volatile because FFmpeg polls it from inside its I/O loops.
typedef struct VigilInterruptState {
    volatile int64_t deadline_us;
    volatile int abort_requested;
    volatile int fired;
} VigilInterruptState;

static inline int vigil_interrupt_callback(void *opaque) {
    VigilInterruptState *state = (VigilInterruptState *)opaque;
    if (state->abort_requested) { state->fired = 1; return 1; }
    if (state->deadline_us > 0 && av_gettime_relative() > state->deadline_us) { state->fired = 1; return 1; }
    return 0;
}

static inline void vigil_install_interrupt(AVFormatContext *ctx, VigilInterruptState *state) {
    ctx->interrupt_callback.callback = vigil_interrupt_callback;
    ctx->interrupt_callback.opaque = state;
}

#endif
