/* listen.h — the --listen IPV4:PORT argument of the HTTP fronts. */
#ifndef CONSTAT_LISTEN_H
#define CONSTAT_LISTEN_H

#include <netinet/in.h>
#include <stddef.h>

/* Parse "IPV4:PORT" (port 0..65535; 0 picks a free port) into *sa. On
 * failure a message naming the problem in errbuf[cap] and -1. */
int http_listen_addr(const char *listen, struct sockaddr_in *sa, char *errbuf, size_t cap);

#endif
