/* qr.c — an SVG QR code of a short text (libqrencode), for enrolment codes
 * (`constat monitor invite`). */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <qrencode.h>

#include "cli.h"

int cli_qr_svg(const char *text, const char *path)
{
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    const int margin = 4, scale = 8;
    FILE *f;
    int fd, w, ok;

    if (!q) {
        fprintf(stderr, "constat: cannot make a QR code of the enrolment code\n");
        return 3;
    }
    w = q->width + 2 * margin;
    /* 0600: the picture is the code, a secret until used */
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        QRcode_free(q);
        fprintf(stderr, "constat: %s: cannot write it\n", cli_text(path));
        return 3;
    }
    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">\n"
            "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n<path fill=\"#000\" d=\"",
            w * scale, w * scale, w, w, w, w);
    for (int y = 0; y < q->width; y++)
        for (int x = 0; x < q->width; x++)
            if (q->data[y * q->width + x] & 1)
                fprintf(f, "M%d %dh1v1h-1z", x + margin, y + margin);
    fprintf(f, "\"/>\n</svg>\n");
    ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    QRcode_free(q);
    if (!ok) {
        fprintf(stderr, "constat: %s: cannot write it\n", cli_text(path));
        return 3;
    }
    return 0;
}
