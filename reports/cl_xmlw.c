/*
 * cl_xmlw.c - helpers over libxml2's text writer (see cl_xmlw.h). The
 * writer escapes markup but passes any byte on, so what reaches it is first
 * made into characters XML 1.0 allows: junit.xml and report.html must parse.
 */
#include "cl_xmlw.h"
#include "cl_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The length a UTF-8 lead byte announces; 0 for a byte no character starts with. */
static size_t utf8_len(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xc2 ? 0 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf5 ? 4 : 0;
}

/*
 * The length of the character at @s when XML 1.0 can carry it, else 0;
 * *span is how many bytes it covers either way (a truncated sequence: its
 * lead byte and the continuation bytes that did follow). Refused: controls
 * but tab, newline and CR, DEL, malformed or overlong UTF-8, surrogates
 * (U+D800-U+DFFF), U+FFFE and U+FFFF, anything above U+10FFFF.
 */
static size_t xml_char(const unsigned char *s, size_t *span)
{
	size_t n = utf8_len(s[0]), i;
	uint32_t cp;

	*span = 1;
	if (n == 1)
		return s[0] >= 0x20 ? s[0] != 0x7f : s[0] == '\t' || s[0] == '\n' || s[0] == '\r';
	if (n == 0)
		return 0;
	cp = s[0] & (0x7fu >> n);
	for (i = 1; i < n && (s[i] & 0xc0) == 0x80; i++)
		cp = cp << 6 | (s[i] & 0x3fu);
	*span = i;
	if (i < n || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		return 0;
	return n;
}

/* A copy of @s with each character XML 1.0 cannot carry replaced by one '?'. */
static char *clean(const char *s)
{
	const unsigned char *in = (const unsigned char *)(s ? s : "");
	char *t = cl_xmalloc(strlen((const char *)in) + 1), *o = t;
	size_t n, span;

	while (*in) {
		n = xml_char(in, &span);
		if (n) {
			memcpy(o, in, n);
			o += n;
		} else {
			*o++ = '?';
			n = span;
		}
		in += n;
	}
	*o = '\0';
	return t;
}

void cl_xmlw_text(xmlTextWriterPtr w, const char *s)
{
	char *t = clean(s);

	xmlTextWriterWriteString(w, CL_XC(t));
	free(t);
}

void cl_xmlw_attr(xmlTextWriterPtr w, const char *name, const char *value)
{
	char *t = clean(value);

	xmlTextWriterWriteAttribute(w, CL_XC(name), CL_XC(t));
	free(t);
}

void cl_xmlw_el(xmlTextWriterPtr w, const char *name, const char *s)
{
	xmlTextWriterStartElement(w, CL_XC(name));
	cl_xmlw_text(w, s);
	xmlTextWriterFullEndElement(w);
}

int cl_xmlw_save(xmlTextWriterPtr w, xmlBufferPtr buf, const char *path)
{
	int rc = xmlTextWriterEndDocument(w) < 0;

	xmlFreeTextWriter(w); /* flushes into buf */
	rc = rc ? cl_err_set(CL_EINFRA, "%s: libxml2 could not write the document", path)
		: cl_write_file(path, xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
	xmlBufferFree(buf);
	return rc;
}
