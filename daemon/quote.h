/*
 * quote: bash-compatible quoting of captured argv for EXEC_CMDLINE and MESSAGE.
 *
 * The output is a public contract: users paste it into a shell or parse it
 * back with `eval "set -- $CMDLINE"`, which must reproduce the original
 * bytes exactly. It must also be safe to show on a terminal, so it never
 * contains raw control bytes, C1 controls or invalid UTF-8; anything of
 * that kind is spelled as a $'...' escape instead.
 *
 * Rules, per argument:
 *  - non-empty and only [A-Za-z0-9_@%+=:,./-]: emitted as is;
 *  - only printable ASCII and well-formed UTF-8 for code points >= U+00A0
 *    other than invisible format characters (bidi controls, zero-width
 *    characters, U+2028/U+2029, BOM, soft hyphen): '...', with each '
 *    written as '\'' (the empty argument is '');
 *  - anything else: $'...', with \\ \' \n \t \r and \xNN for every other
 *    control byte, DEL, byte of a C1 control or invisible character, or
 *    byte not part of a well-formed UTF-8 sequence.
 * In both quoted forms a literal byte >= 0x80 is never followed by a
 * backslash or a digit: the quotes are closed and reopened between them
 * ('' or '$'), since bash in a GBK, Big5, Shift_JIS or GB18030 locale would
 * read the pair (and in GB18030 the closing quote after it) as one
 * character.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/*
 * Append the quoted form of arg[0..len) to sb. arg may hold any bytes,
 * including NUL (escaped as \x00, which bash cannot represent, so callers
 * should split on NUL first; quote_argv does). On failure sb is unchanged.
 */
int quote_arg(struct strbuf *sb, const char *arg, size_t len);

/*
 * Append the quoted argv held in block[0..len): consecutive NUL-terminated
 * strings, the last of which may lack its NUL when the capture was
 * truncated. Arguments are joined by single spaces; len 0 appends nothing.
 * On failure sb is unchanged.
 */
int quote_argv(struct strbuf *sb, const char *block, size_t len);

/*
 * Append text[0..len) for a message meant to be read, not parsed back: as
 * it is where it is safe on a terminal, with \xNN for each control byte,
 * DEL, byte of a C1 control or invisible character, or byte not part of a
 * well-formed UTF-8 sequence. Backslashes stay as they are, so the result
 * is not always reversible. On failure sb is unchanged.
 */
int quote_text(struct strbuf *sb, const char *text, size_t len);

/* True when quote_arg would emit arg unchanged. */
bool quote_is_plain(const char *arg, size_t len);
