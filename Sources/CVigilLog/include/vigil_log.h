#ifndef VIGIL_LOG_H
#define VIGIL_LOG_H

#include <pthread.h>
#include <stddef.h>

// Errors FFmpeg logs for one source. Its decoder often conceals damage (no error code
// comes back, no frame flag is set) and only says so in its log; the demuxer likewise
// resyncs past garbage with a log line. The source's AVFormatContext and AVCodecContext
// point at one sink through their `opaque` fields (copied into frame-thread contexts),
// and one process-wide log callback counts what arrives there. A C file of its own,
// because the callback keeps a thread-local last message that needs one definition.
typedef struct VigilLogSink {
    int decoder_errors;
    int demuxer_errors;
    pthread_mutex_t lock;
    char last[256];
} VigilLogSink;

void vigil_log_sink_init(VigilLogSink *sink);
void vigil_log_sink_destroy(VigilLogSink *sink);
int vigil_log_sink_decoder_errors(VigilLogSink *sink);
int vigil_log_sink_demuxer_errors(VigilLogSink *sink);
void vigil_log_sink_last(VigilLogSink *sink, char *out, size_t size);

// Installs the callback (once per process; it chains to FFmpeg's default printing).
void vigil_install_log_callback(void);
// Points a format or codec context (given as void *) at a sink.
void vigil_attach_log_sink_format(void *format_context, VigilLogSink *sink);
void vigil_attach_log_sink_codec(void *codec_context, VigilLogSink *sink);

// The last error logged on this thread by anything, sink or not: some checks (picture
// sizes in imgutils) log through a context of their own while a source opens.
void vigil_thread_last_error_clear(void);
void vigil_thread_last_error_copy(char *out, size_t size);

#endif
