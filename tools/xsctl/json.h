/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xsctl: a tiny streaming JSON emitter (json.c). Values are written as
 * they come, with commas and nesting tracked here; @key is NULL for the
 * elements of an array. Strings are escaped per RFC 8259 and invalid UTF-8
 * is replaced by U+FFFD, so the output is always valid JSON.
 *
 * json_buffer() collects a document in memory and json_commit() writes it
 * out whole, so that a command failing half-way prints no partial JSON.
 */
#ifndef XSCTL_JSON_H
#define XSCTL_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	8

struct json {
	FILE *fp;
	int depth;
	bool first[JSON_MAX_DEPTH];
	char *buf;
	size_t size;
};

void json_init(struct json *j, FILE *fp);
int json_buffer(struct json *j);
int json_commit(struct json *j, FILE *out);
void json_discard(struct json *j);
void json_open_array(struct json *j, const char *key);
void json_close_array(struct json *j);
void json_open_object(struct json *j, const char *key);
void json_close_object(struct json *j);
void json_string(struct json *j, const char *key, const char *val);
void json_uint(struct json *j, const char *key, unsigned long long val);
void json_double(struct json *j, const char *key, double val, int prec);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);

#endif /* XSCTL_JSON_H */
