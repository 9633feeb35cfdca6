/*
 * yaml_doc.c - a first pass over the events, then the document tree, and
 * look-ups in it by path.
 */
#include "yaml_doc.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct yaml_pos pos_of(yaml_mark_t m)
{
    return (struct yaml_pos){(unsigned)m.line + 1, (unsigned)m.column + 1};
}

/* libyaml's own complaint: "<problem> (<context> at L:C)". */
static void parser_error(yaml_parser_t *p, struct yaml_pos *pos, char *why, size_t len)
{
    *pos = pos_of(p->problem_mark);
    if (p->context != NULL)
        snprintf(why, len, "YAML syntax: %s (%s at %u:%u)", p->problem ? p->problem : "error",
                 p->context, (unsigned)p->context_mark.line + 1,
                 (unsigned)p->context_mark.column + 1);
    else
        snprintf(why, len, "YAML syntax: %s", p->problem ? p->problem : "error");
    if (p->error == YAML_MEMORY_ERROR)
        snprintf(why, len, "out of memory");
}

/* The events: syntax, no alias, one document. */
static int scan(const void *data, size_t len, struct yaml_pos *pos, char *why, size_t why_len)
{
    yaml_parser_t p;
    int docs = 0;
    int r = 0;

    if (!yaml_parser_initialize(&p))
        return -ENOMEM;
    yaml_parser_set_input_string(&p, data, len);
    for (;;) {
        yaml_event_t ev;

        if (!yaml_parser_parse(&p, &ev)) {
            parser_error(&p, pos, why, why_len);
            r = p.error == YAML_MEMORY_ERROR ? -ENOMEM : -EINVAL;
            break;
        }
        if (ev.type == YAML_ALIAS_EVENT) {
            *pos = pos_of(ev.start_mark);
            snprintf(why, why_len, "aliases (*%s) are not supported here: write the value out",
                     (const char *)ev.data.alias.anchor);
            r = -EINVAL;
        } else if (ev.type == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
            *pos = pos_of(ev.start_mark);
            snprintf(why, why_len, "a second YAML document: the file holds one");
            r = -EINVAL;
        }
        bool end = ev.type == YAML_STREAM_END_EVENT;

        yaml_event_delete(&ev);
        if (end || r < 0)
            break;
    }
    yaml_parser_delete(&p);
    return r;
}

int yaml_doc_load(struct yaml_doc *d, const void *data, size_t len, struct yaml_pos *pos,
                  char *why, size_t why_len)
{
    yaml_parser_t p;
    int r;

    assert(d && pos && why);

    memset(d, 0, sizeof(*d));
    r = scan(data, len, pos, why, why_len);
    if (r < 0)
        return r;
    if (!yaml_parser_initialize(&p))
        return -ENOMEM;
    yaml_parser_set_input_string(&p, data, len);
    if (!yaml_parser_load(&p, &d->doc)) {
        parser_error(&p, pos, why, why_len);
        r = p.error == YAML_MEMORY_ERROR ? -ENOMEM : -EINVAL;
    } else {
        d->loaded = true;
    }
    yaml_parser_delete(&p);
    return r;
}

void yaml_doc_free(struct yaml_doc *d)
{
    if (d->loaded)
        yaml_document_delete(&d->doc);
    d->loaded = false;
}

const char *yaml_doc_scalar(const yaml_node_t *node)
{
    if (node == NULL || node->type != YAML_SCALAR_NODE)
        return NULL;
    return (const char *)node->data.scalar.value;
}

/* In mapping m, the value (or the key) of the nth pair whose key is key. */
static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *m, const char *key, size_t klen,
                            int nth, bool want_key)
{
    if (m == NULL || m->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        const char *s = yaml_doc_scalar(k);

        if (s == NULL || strlen(s) != klen || strncmp(s, key, klen) != 0)
            continue;
        if (nth-- == 0)
            return want_key ? k : yaml_document_get_node(doc, p->value);
    }
    return NULL;
}

static yaml_node_t *seq_get(yaml_document_t *doc, yaml_node_t *s, size_t i)
{
    size_t n;

    if (s == NULL || s->type != YAML_SEQUENCE_NODE)
        return NULL;
    n = (size_t)(s->data.sequence.items.top - s->data.sequence.items.start);
    return i < n ? yaml_document_get_node(doc, s->data.sequence.items.start[i]) : NULL;
}

/* Walk at most max_steps steps of path (-1: all). */
static yaml_node_t *walk(struct yaml_doc *d, const char *path, int max_steps)
{
    yaml_node_t *n;

    if (!d->loaded)
        return NULL;
    n = yaml_document_get_root_node(&d->doc);
    while (n != NULL && *path != '\0' && max_steps-- != 0) {
        size_t len = strcspn(path, ".");
        char *end;
        unsigned long idx = strtoul(path, &end, 10);

        if (len > 0 && end == path + len)
            n = seq_get(&d->doc, n, idx);
        else
            n = map_get(&d->doc, n, path, len, 0, false);
        path += len;
        if (*path == '.')
            path++;
    }
    return n;
}

yaml_node_t *yaml_doc_node(struct yaml_doc *d, const char *path)
{
    assert(d && path);

    return walk(d, path, -1);
}

yaml_node_t *yaml_doc_key(struct yaml_doc *d, const char *path, const char *key, int nth)
{
    assert(d && path && key);

    return map_get(&d->doc, yaml_doc_node(d, path), key, strlen(key), nth, true);
}

struct yaml_pos yaml_doc_pos(const yaml_node_t *node)
{
    assert(node);

    return pos_of(node->start_mark);
}

struct yaml_pos yaml_doc_where(struct yaml_doc *d, const char *path)
{
    int steps = 0;

    assert(d && path);

    for (const char *p = path; *p != '\0'; p++)
        steps += *p == '.';
    steps += *path != '\0';
    for (; steps >= 0; steps--) {
        yaml_node_t *n = walk(d, path, steps);

        if (n != NULL)
            return yaml_doc_pos(n);
    }
    return (struct yaml_pos){1, 1};
}

size_t yaml_doc_count(struct yaml_doc *d, const char *path)
{
    yaml_node_t *s = yaml_doc_node(d, path);

    if (s == NULL || s->type != YAML_SEQUENCE_NODE)
        return 0;
    return (size_t)(s->data.sequence.items.top - s->data.sequence.items.start);
}
