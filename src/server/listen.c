/* listen.c — the --listen IPV4:PORT argument of the HTTP fronts (listen.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listen.h"

int http_listen_addr(const char *listen, struct sockaddr_in *sa, char *errbuf, size_t cap)
{
    const char *colon = listen ? strrchr(listen, ':') : NULL;
    char host[64];
    unsigned long p;
    char *end;

    if (!colon || (size_t)(colon - listen) >= sizeof host || colon == listen) {
        snprintf(errbuf, cap, "--listen wants IPV4:PORT, got \"%.100s\"", listen ? listen : "");
        return -1;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = 0;
    errno = 0;
    p = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || errno || p > 65535) {
        snprintf(errbuf, cap, "--listen: bad port \"%.20s\"", colon + 1);
        return -1;
    }
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)p);
    if (strcmp(host, "localhost") == 0) /* the loopback name, without a resolver */
        snprintf(host, 16, "127.0.0.1");
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
        snprintf(errbuf, cap, "--listen: \"%.60s\" is not an IPv4 address", host);
        return -1;
    }
    return 0;
}
