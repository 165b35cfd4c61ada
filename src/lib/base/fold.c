/* fold.c — folding text for loose matching (src/lib/base/text.h). */
#include <string.h>

#include "base/text.h"

/* Latin-1 Supplement letters U+00C0..U+00FF and Latin Extended-A
 * U+0100..U+017F, as ranges of code points that fold to the same ASCII
 * text. Code points of these blocks not listed (U+00D7, U+00F7) are kept. */
static const struct {
    unsigned lo, hi;
    const char *to;
} latin_fold[] = {
    {0x00C0, 0x00C5, "a"}, {0x00C6, 0x00C6, "ae"}, {0x00C7, 0x00C7, "c"},
    {0x00C8, 0x00CB, "e"}, {0x00CC, 0x00CF, "i"},  {0x00D0, 0x00D0, "d"},
    {0x00D1, 0x00D1, "n"}, {0x00D2, 0x00D6, "o"},  {0x00D8, 0x00D8, "o"},
    {0x00D9, 0x00DC, "u"}, {0x00DD, 0x00DD, "y"},  {0x00DE, 0x00DE, "th"},
    {0x00DF, 0x00DF, "ss"}, {0x00E0, 0x00E5, "a"}, {0x00E6, 0x00E6, "ae"},
    {0x00E7, 0x00E7, "c"}, {0x00E8, 0x00EB, "e"},  {0x00EC, 0x00EF, "i"},
    {0x00F0, 0x00F0, "d"}, {0x00F1, 0x00F1, "n"},  {0x00F2, 0x00F6, "o"},
    {0x00F8, 0x00F8, "o"}, {0x00F9, 0x00FC, "u"},  {0x00FD, 0x00FD, "y"},
    {0x00FE, 0x00FE, "th"}, {0x00FF, 0x00FF, "y"},
    {0x0100, 0x0105, "a"}, {0x0106, 0x010D, "c"},  {0x010E, 0x0111, "d"},
    {0x0112, 0x011B, "e"}, {0x011C, 0x0123, "g"},  {0x0124, 0x0127, "h"},
    {0x0128, 0x0131, "i"}, {0x0132, 0x0133, "ij"}, {0x0134, 0x0135, "j"},
    {0x0136, 0x0138, "k"}, {0x0139, 0x0142, "l"},  {0x0143, 0x014B, "n"},
    {0x014C, 0x0151, "o"}, {0x0152, 0x0153, "oe"}, {0x0154, 0x0159, "r"},
    {0x015A, 0x0161, "s"}, {0x0162, 0x0167, "t"},  {0x0168, 0x0173, "u"},
    {0x0174, 0x0175, "w"}, {0x0176, 0x0178, "y"},  {0x0179, 0x017E, "z"},
    {0x017F, 0x017F, "s"},
};

size_t constat_text_fold(const char *s, size_t n, char *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, o = 0;

    while (i < n) {
        unsigned char c = p[i];
        if (c < 0x80) {
            out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
            i++;
            continue;
        }
        /* two-byte sequences cover U+0080..U+07FF, which holds both blocks
         * and the combining diacritical marks U+0300..U+036F */
        if (c >= 0xC2 && c <= 0xDF && i + 1 < n && (p[i + 1] & 0xC0) == 0x80) {
            unsigned cp = ((unsigned)(c & 0x1F) << 6) | (p[i + 1] & 0x3F);
            const char *to = NULL;
            if (cp >= 0x0300 && cp <= 0x036F) { /* a decomposed accent: dropped */
                i += 2;
                continue;
            }
            for (size_t k = 0; k < sizeof latin_fold / sizeof latin_fold[0]; k++)
                if (cp >= latin_fold[k].lo && cp <= latin_fold[k].hi) {
                    to = latin_fold[k].to;
                    break;
                }
            if (to) {
                size_t tl = strlen(to); /* at most 2: never longer than the input */
                memcpy(out + o, to, tl);
                o += tl;
                i += 2;
                continue;
            }
        }
        out[o++] = (char)c; /* anything else as it is, byte by byte */
        i++;
    }
    return o;
}

int constat_text_find(const char *hay, size_t hn, const char *needle, size_t nn)
{
    if (nn == 0)
        return 1;
    for (size_t i = 0; i + nn <= hn; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, nn) == 0)
            return 1;
    return 0;
}
