/* Unicode normalization of article text: UTF-8 repair, NFC, removal of
 * invisible controls, whitespace cleanup. */
#ifndef NEWSD_NORMALIZE_H
#define NEWSD_NORMALIZE_H

#include <stddef.h>

#include "newsd/doc.h"
#include "newsd/err.h"

/*
 * Normalizes @p len bytes of @p in (any bytes, not NUL-terminated) and
 * returns a newly allocated NUL-terminated UTF-8 string (caller frees), or
 * NULL on allocation failure. Counts every change into @p st (added to what
 * is already there).
 *
 * What it does, in order: invalid UTF-8 sequences become U+FFFD; CRLF, CR,
 * NEL, LS and PS become LF; C0/C1 controls other than TAB and LF, zero-width
 * characters (ZWSP, BOM, word joiner, soft hyphen; ZWNJ/ZWJ only where they
 * join nothing) and bidi controls are removed; NBSP and the other Unicode
 * space separators and TAB become a plain space; runs of spaces collapse to
 * one; spaces at line ends and at the start and end of the text are
 * trimmed; three or more consecutive newlines become two; the result is NFC.
 * Nothing else of the text is altered.
 *
 * When @p single_line is true, LF is treated as a space too (for titles).
 */
char *nd_norm_text(const char *in, size_t len, int single_line,
                   nd_norm_stats *st);

/* The normalization report: an object with one member per non-zero counter
 * and `changed` (bool). New reference. */
json_t *nd_norm_report(const nd_norm_stats *st);

#endif
