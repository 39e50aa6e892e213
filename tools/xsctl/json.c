// SPDX-License-Identifier: GPL-2.0
/*
 * xsctl: a tiny streaming JSON emitter. It writes each value as it is
 * given, puts the commas between members, closes the top-level value with
 * a newline, and escapes strings: quotes, backslashes and control
 * characters are escaped, valid UTF-8 passes through and each byte of an
 * invalid sequence becomes U+FFFD (device names are arbitrary bytes).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

void json_init(struct json *j, FILE *fp)
{
	j->fp = fp;
	j->depth = 0;
	j->first[0] = true;
	j->buf = NULL;
	j->size = 0;
}

/* Emit into memory until json_commit() or json_discard(). */
int json_buffer(struct json *j)
{
	FILE *fp;

	json_init(j, NULL);
	fp = open_memstream(&j->buf, &j->size);
	if (!fp)
		return -1;
	j->fp = fp;
	return 0;
}

/* Write the buffered document to @out; 0 or -1 with errno. */
int json_commit(struct json *j, FILE *out)
{
	int ret = 0;

	if (fclose(j->fp) == EOF)
		ret = -1;
	else if (fwrite(j->buf, 1, j->size, out) != j->size)
		ret = -1;
	free(j->buf);
	memset(j, 0, sizeof(*j));
	return ret;
}

void json_discard(struct json *j)
{
	if (j->fp)
		fclose(j->fp);
	free(j->buf);
	memset(j, 0, sizeof(*j));
}

/* Length of the valid UTF-8 sequence at @s, 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;

	/* No overlong forms, no surrogates, nothing above U+10FFFF. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static void put_char(FILE *fp, unsigned char c)
{
	switch (c) {
	case '"':
		fputs("\\\"", fp);
		break;
	case '\\':
		fputs("\\\\", fp);
		break;
	case '\b':
		fputs("\\b", fp);
		break;
	case '\f':
		fputs("\\f", fp);
		break;
	case '\n':
		fputs("\\n", fp);
		break;
	case '\r':
		fputs("\\r", fp);
		break;
	case '\t':
		fputs("\\t", fp);
		break;
	default:
		if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\u%04x", c);
		else
			putc(c, fp);
	}
}

static void put_string(FILE *fp, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	putc('"', fp);
	while (*s) {
		n = utf8_len(s);
		if (n == 0) {
			fputs("\\ufffd", fp);
			s++;
		} else if (n == 1) {
			put_char(fp, *s++);
		} else {
			fwrite(s, 1, n, fp);
			s += n;
		}
	}
	putc('"', fp);
}

/* Start a value: separator from the previous member, then "key":. */
static void begin_value(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		putc(',', j->fp);
	j->first[j->depth] = false;
	if (key) {
		put_string(j->fp, key);
		putc(':', j->fp);
	}
}

/* After a value: a complete top-level value ends the line. */
static void end_value(struct json *j)
{
	if (j->depth == 0)
		putc('\n', j->fp);
}

static void open_container(struct json *j, const char *key, char c)
{
	begin_value(j, key);
	putc(c, j->fp);
	if (++j->depth >= JSON_MAX_DEPTH)
		abort();	/* a bug in the caller, not an input error */
	j->first[j->depth] = true;
}

static void close_container(struct json *j, char c)
{
	if (j->depth == 0)
		abort();
	j->depth--;
	putc(c, j->fp);
	end_value(j);
}

void json_open_array(struct json *j, const char *key)
{
	open_container(j, key, '[');
}

void json_close_array(struct json *j)
{
	close_container(j, ']');
}

void json_open_object(struct json *j, const char *key)
{
	open_container(j, key, '{');
}

void json_close_object(struct json *j)
{
	close_container(j, '}');
}

void json_string(struct json *j, const char *key, const char *val)
{
	if (!val) {
		json_null(j, key);
		return;
	}
	begin_value(j, key);
	put_string(j->fp, val);
	end_value(j);
}

void json_uint(struct json *j, const char *key, unsigned long long val)
{
	begin_value(j, key);
	fprintf(j->fp, "%llu", val);
	end_value(j);
}

/* A number with @prec decimals; null if @val is not finite. */
void json_double(struct json *j, const char *key, double val, int prec)
{
	if (!isfinite(val)) {
		json_null(j, key);
		return;
	}
	begin_value(j, key);
	fprintf(j->fp, "%.*f", prec, val);
	end_value(j);
}

void json_bool(struct json *j, const char *key, bool val)
{
	begin_value(j, key);
	fputs(val ? "true" : "false", j->fp);
	end_value(j);
}

void json_null(struct json *j, const char *key)
{
	begin_value(j, key);
	fputs("null", j->fp);
	end_value(j);
}
