#include "vigil_log.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char thread_last_error[256];

void vigil_log_sink_init(VigilLogSink *sink) {
    sink->decoder_errors = 0;
    sink->demuxer_errors = 0;
    sink->last[0] = 0;
    pthread_mutex_init(&sink->lock, NULL);
}

void vigil_log_sink_destroy(VigilLogSink *sink) { pthread_mutex_destroy(&sink->lock); }

int vigil_log_sink_decoder_errors(VigilLogSink *sink) { return __atomic_load_n(&sink->decoder_errors, __ATOMIC_RELAXED); }
int vigil_log_sink_demuxer_errors(VigilLogSink *sink) { return __atomic_load_n(&sink->demuxer_errors, __ATOMIC_RELAXED); }

void vigil_log_sink_last(VigilLogSink *sink, char *out, size_t size) {
    pthread_mutex_lock(&sink->lock);
    snprintf(out, size, "%s", sink->last);
    pthread_mutex_unlock(&sink->lock);
}

void vigil_thread_last_error_clear(void) { thread_last_error[0] = 0; }
void vigil_thread_last_error_copy(char *out, size_t size) { snprintf(out, size, "%s", thread_last_error); }

static void format_message(char *out, size_t size, const char *fmt, va_list vl) {
    va_list copy;
    va_copy(copy, vl);
    vsnprintf(out, size, fmt, copy);
    va_end(copy);
    size_t length = strlen(out);
    while (length > 0 && (out[length - 1] == '\n' || out[length - 1] == ' ')) out[--length] = 0;
}

static void log_callback(void *avcl, int level, const char *fmt, va_list vl) {
    if (level <= AV_LOG_ERROR) {
        format_message(thread_last_error, sizeof thread_last_error, fmt, vl);
        const AVClass *cls = avcl ? *(const AVClass **)avcl : NULL;
        VigilLogSink *sink = NULL;
        int decoder = 0;
        if (cls && cls->class_name && strcmp(cls->class_name, "AVCodecContext") == 0) {
            sink = (VigilLogSink *)((AVCodecContext *)avcl)->opaque;
            decoder = 1;
        } else if (cls && cls->class_name && strcmp(cls->class_name, "AVFormatContext") == 0) {
            sink = (VigilLogSink *)((AVFormatContext *)avcl)->opaque;
        }
        if (sink) {
            __atomic_fetch_add(decoder ? &sink->decoder_errors : &sink->demuxer_errors, 1, __ATOMIC_RELAXED);
            pthread_mutex_lock(&sink->lock);
            format_message(sink->last, sizeof sink->last, fmt, vl);
            pthread_mutex_unlock(&sink->lock);
        }
    }
    av_log_default_callback(avcl, level, fmt, vl);
}

void vigil_install_log_callback(void) { av_log_set_callback(log_callback); }

void vigil_attach_log_sink_format(void *format_context, VigilLogSink *sink) { ((AVFormatContext *)format_context)->opaque = sink; }
void vigil_attach_log_sink_codec(void *codec_context, VigilLogSink *sink) { ((AVCodecContext *)codec_context)->opaque = sink; }
