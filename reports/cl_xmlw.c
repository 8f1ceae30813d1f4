/*
 * cl_xmlw.c - helpers over libxml2's text writer (see cl_xmlw.h).
 */
#include "cl_xmlw.h"
#include "cl_util.h"

#include <stdlib.h>

static char *clean(const char *s)
{
	char *t = cl_xstrdup(s ? s : ""), *p;

	for (p = t; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			*p = '?';
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
