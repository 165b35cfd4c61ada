/* mhd.c — libmicrohttpd resolved on first use (mhd.h, base/dynlib.h). */
#include <stdio.h>

#include "base/dynlib.h"
#include "mhd.h"

/* the names, in the order of struct constat_mhd_fns */
static const char *const mhd_names[] = {
    "MHD_create_response_from_buffer", "MHD_add_response_header", "MHD_queue_response",
    "MHD_destroy_response",            "MHD_start_daemon",        "MHD_get_daemon_info",
    "MHD_stop_daemon",                 "MHD_get_connection_info", "MHD_is_feature_supported",
    "MHD_lookup_connection_value",     "MHD_suspend_connection",  "MHD_resume_connection"};
struct constat_mhd_fns constat_mhd;
static constat_dynlib mhd_lib = CONSTAT_DYNLIB("libmicrohttpd.so.12", mhd_names, constat_mhd);

int constat_mhd_load(char *errbuf, size_t cap)
{
    constat_error e;

    constat_error_clear(&e);
    if (constat_dynlib_use(&mhd_lib, &e) != CONSTAT_OK) {
        snprintf(errbuf, cap, "%s", e.msg);
        return -1;
    }
    return 0;
}

unsigned constat_mhd_bound_port(struct MHD_Daemon *d, const struct sockaddr_in *sa)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : (unsigned)ntohs(sa->sin_port);
}
