/*
 * mhd.h — private to src/server: libmicrohttpd, loaded when a server starts.
 *
 * Most constat commands serve nothing, so libmicrohttpd (and GnuTLS under it)
 * is not linked: its functions are resolved on first use through
 * base/dynlib.h (the witness server, witness_http.c, and constat serve,
 * serve_*.c, share this one table). Include this header after
 * <microhttpd.h>: it turns the MHD_ functions the servers call into calls
 * through the table, so the code reads as plain libmicrohttpd.
 */
#ifndef CONSTAT_SERVER_MHD_H
#define CONSTAT_SERVER_MHD_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <microhttpd.h>

struct constat_mhd_fns {
    struct MHD_Response *(*create_response_from_buffer)(size_t size, void *buffer,
                                                        enum MHD_ResponseMemoryMode mode);
    enum MHD_Result (*add_response_header)(struct MHD_Response *r, const char *header,
                                           const char *content);
    enum MHD_Result (*queue_response)(struct MHD_Connection *c, unsigned int status_code,
                                      struct MHD_Response *r);
    void (*destroy_response)(struct MHD_Response *r);
    struct MHD_Daemon *(*start_daemon)(unsigned int flags, uint16_t port,
                                       MHD_AcceptPolicyCallback apc, void *apc_cls,
                                       MHD_AccessHandlerCallback dh, void *dh_cls, ...);
    const union MHD_DaemonInfo *(*get_daemon_info)(struct MHD_Daemon *d,
                                                   enum MHD_DaemonInfoType info_type, ...);
    void (*stop_daemon)(struct MHD_Daemon *d);
    const union MHD_ConnectionInfo *(*get_connection_info)(
        struct MHD_Connection *c, enum MHD_ConnectionInfoType info_type, ...);
    enum MHD_Result (*is_feature_supported)(enum MHD_FEATURE feature);
    const char *(*lookup_connection_value)(struct MHD_Connection *c, enum MHD_ValueKind kind,
                                           const char *key);
    void (*suspend_connection)(struct MHD_Connection *c);
    void (*resume_connection)(struct MHD_Connection *c);
};
extern struct constat_mhd_fns constat_mhd;

/* Load libmicrohttpd (libmicrohttpd.so.12, the soname on Debian 12 and 13)
 * and fill constat_mhd, once per process; thread-safe. Returns 0, or -1 with
 * the reason (the library and dlerror()'s text) in errbuf (cap bytes). */
int constat_mhd_load(char *errbuf, size_t cap);

/* The port daemon d listens on (the one the system chose for port 0), or
 * sa's port when libmicrohttpd cannot say. */
unsigned constat_mhd_bound_port(struct MHD_Daemon *d, const struct sockaddr_in *sa);

#undef MHD_create_response_from_buffer
#define MHD_create_response_from_buffer constat_mhd.create_response_from_buffer
#define MHD_add_response_header constat_mhd.add_response_header
#define MHD_queue_response constat_mhd.queue_response
#define MHD_destroy_response constat_mhd.destroy_response
#define MHD_start_daemon constat_mhd.start_daemon
#define MHD_get_daemon_info constat_mhd.get_daemon_info
#define MHD_stop_daemon constat_mhd.stop_daemon
#define MHD_get_connection_info constat_mhd.get_connection_info
#define MHD_is_feature_supported constat_mhd.is_feature_supported
#define MHD_lookup_connection_value constat_mhd.lookup_connection_value
#define MHD_suspend_connection constat_mhd.suspend_connection
#define MHD_resume_connection constat_mhd.resume_connection

#endif
