"""Content negotiation for a published site on an ordinary web server: nginx, Apache, and w3id.

Every resource is written as ``{path}.html``, ``.ttl``, ``.jsonld``, ``.nt`` and ``.rdf``; the
rules answer ``{path}`` with the file of the format the ``Accept`` header asks for (an RDF type
named anywhere in it wins over HTML, as the w3id rules of most vocabularies do), and with the
page otherwise. The catalogue answers Turtle by default, as ``kg serve`` does. ``Vary: Accept``
goes with every answer, and the headers ``kg serve`` sends (CORS, no sniffing, the page's
content security policy, with the one script the search page runs).
"""

from __future__ import annotations

import re

from kg.export import dataset_iri
from kg.serve.negotiation import FORMAT_EXTENSIONS, GRAPH_TYPES, HTML
from kg.serve.responses import COMMON, CSP

#: The formats negotiated, lowest priority first: a later match wins.
PRIORITY = (HTML, "rdfxml", "nt", "jsonld", "ttl")
#: Media types (without parameters) of the files a site holds.
MEDIA_TYPES = {".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".json": "application/json",
               ".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples",
               ".rdf": "application/rdf+xml", ".nq": "application/n-quads", ".trig": "application/trig",
               ".csv": "text/csv", ".md": "text/markdown", ".rq": "application/sparql-query",
               ".gz": "application/gzip", ".svg": "image/svg+xml"}
#: Sent with a charset (nginx's ``charset_types``, Apache's ``AddCharset``).
TEXT_TYPES = ("text/html", "text/css", "text/javascript", "application/json", "text/turtle",
              "application/ld+json", "application/n-triples", "application/n-quads", "application/trig",
              "text/csv", "text/markdown", "application/sparql-query")
#: Pages that answer Turtle when no format is asked for (the data about the dataset).
DATA_DEFAULT = ("/catalog", "/.well-known/void")
#: The pages' policy, allowing the search page's script (``/static/search.js``) and its index.
STATIC_CSP = CSP.replace("default-src 'none';", "default-src 'none'; script-src 'self'; connect-src 'self';")
#: The extensions of the formats, as a regular expression's alternatives.
EXTENSIONS = "|".join(e.lstrip(".") for e in sorted(set(FORMAT_EXTENSIONS.values())))
#: A folder of the site that is not published: the server configuration itself.
PRIVATE = ".server"


def _patterns() -> list[tuple[str, str]]:
    """(extension, regular expression on Accept) by :data:`PRIORITY`."""
    out = []
    for fmt in PRIORITY:
        types = [t for t, f in GRAPH_TYPES.items() if f == fmt and t not in ("application/json", "text/plain",
                                                                            "application/xml")]
        out.append((FORMAT_EXTENSIONS[fmt], "(" + "|".join(t.replace("+", r"\+") for t in types) + ")"))
    return out


def _dataset_path(base: str, root: str) -> str:
    return "/" + str(dataset_iri(base))[len(root):]


def _headers() -> dict[str, str]:
    return COMMON | {"Content-Security-Policy": STATIC_CSP, "Vary": "Accept"}


def nginx(root_dir: str, base: str, root: str, prefix: str = "", server_name: str = "_") -> str:
    """A ``server`` block for nginx serving the site in ``root_dir`` under the path ``prefix``
    (``""``: at the root of the host); put it in the ``http`` block of the host's configuration."""
    own = [f"location ^~ {prefix}/{PRIVATE}/ {{ return 404; }}",
           f"location ~ ^{re.escape(prefix + _dataset_path(base, root))}(\\.({EXTENSIONS}))?$ "
           f"{{ return 303 {prefix}/catalog$1; }}",
           f"location = {prefix}/.htaccess {{ return 404; }}",
           *(f"location = {prefix}{path} {{ try_files $uri$kg_ext $uri.ttl =404; }}" for path in DATA_DEFAULT),
           "try_files $uri $uri$kg_ext $uri.html $uri/index.html =404;"]
    if prefix:
        site = [f"location = {prefix} {{ return 301 {prefix}/; }}", f"location ^~ {prefix}/ {{",
                f"    alias {root_dir}/;", *("    " + line for line in own), "}"]
    else:
        site = [f"root {root_dir};", *own[:-1], "location / {", "    " + own[-1], "}"]
    lines = [
        "# The published site's rules for nginx (written by kg publish): put this server block in the",
        "# http block of the host's configuration and change listen, server_name and the site's folder",
        "# (root or alias) to the host's.",
        "server {",
        "    listen 80;",
        f"    server_name {server_name};",
        "    index index.html;",
        f"    error_page 404 {prefix}/404.html;",
        "    charset utf-8;",
        "    charset_types " + " ".join(t for t in TEXT_TYPES if t != "text/html") + ";",  # HTML has it already
        "    gzip on;",  # the search index of a national graph is 17 MB, 1 MB compressed
        "    gzip_types " + " ".join(t for t in TEXT_TYPES if t != "text/html") + ";",
        "    types {",
        *(f"        {media} {ext.lstrip('.')};" for ext, media in MEDIA_TYPES.items()),
        "    }",
        "    default_type application/octet-stream;",
        *(f'    add_header {name} "{value}" always;' for name, value in _headers().items()),
        "",
        "    # the format asked for, by Accept: an RDF type wins over HTML",
        '    set $kg_ext "";',
        *(f'    if ($http_accept ~* "{pattern}") {{ set $kg_ext {ext}; }}' for ext, pattern in _patterns()),
        "",
        *("    " + line for line in site),
        "}",
        "",
    ]
    return "\n".join(lines)


def _apache_accept(html: bool = True) -> list[str]:
    """Apache rules setting ``KG_EXT`` to the extension of the format ``Accept`` asks for."""
    return ["# the format asked for, by Accept: an RDF type wins over HTML",
            *(f'RewriteCond %{{HTTP_ACCEPT}} "{pattern}" [NC]\nRewriteRule ^ - [E=KG_EXT:{ext}]'
              for ext, pattern in _patterns() if html or ext != ".html")]


def apache(base: str, root: str, prefix: str = "") -> str:
    """An ``.htaccess`` for the site's folder, served at the path ``prefix`` (Apache with mod_rewrite,
    mod_headers, mod_mime)."""
    data_default = "|".join(p.lstrip("/").replace(".", r"\.") for p in DATA_DEFAULT)
    lines = [
        "# The published site's rules for Apache (written by kg publish): this file goes in the",
        "# site's folder; the host must allow it (AllowOverride FileInfo Indexes) and load mod_rewrite",
        "# and mod_headers. Its rules answer before MultiViews would.",
        "DirectoryIndex index.html",
        "DirectorySlash Off",  # /class is class.html, not the folder class/
        f"ErrorDocument 404 {prefix}/404.html",
        *(f"AddType {media} {ext}" for ext, media in MEDIA_TYPES.items()),
        "AddCharset utf-8 " + " ".join(ext for ext, media in MEDIA_TYPES.items() if media in TEXT_TYPES),
        "<IfModule mod_deflate.c>",
        "  AddOutputFilterByType DEFLATE " + " ".join(TEXT_TYPES),
        "</IfModule>",
        "<IfModule mod_headers.c>",
        *(f'  Header always set {name} "{value}"' for name, value in _headers().items()),
        "</IfModule>",
        "RewriteEngine On",
        f"RewriteBase {prefix}/",
        f"RewriteRule ^({re.escape(PRIVATE)}(/|$)|\\.htaccess$) - [R=404,L]",
        f"RewriteRule ^{re.escape(_dataset_path(base, root).lstrip('/'))}(\\.({EXTENSIONS}))?$ {prefix}/catalog$1 [R=303,L]",
        *_apache_accept(),
        "# the catalogue is Turtle unless another format is asked for",
        f"RewriteCond %{{ENV:KG_EXT}} ^$\nRewriteRule ^({data_default})$ - [E=KG_EXT:.ttl]",
        "RewriteCond %{REQUEST_FILENAME} !-f",
        "RewriteCond %{REQUEST_FILENAME}%{ENV:KG_EXT} -f",
        "RewriteRule ^(.+)$ $1%{ENV:KG_EXT} [L]",
        "RewriteCond %{REQUEST_FILENAME} !-f",
        "RewriteCond %{REQUEST_FILENAME}.html -f",
        "RewriteRule ^(.+)$ $1.html [L]",
        "",
    ]
    return "\n".join(lines)


def w3id(root: str, site_url: str) -> str:
    """The ``.htaccess`` a project submits to w3id.org for its folder (``root``'s path there):
    each IRI redirected to the page or file of the format asked for on the site at ``site_url``."""
    site_url = site_url.rstrip("/") + "/"
    lines = [
        f"# w3id.org redirects for {root} (written by kg publish): submit this file as the folder's",
        f"# .htaccess to https://github.com/perma-id/w3id.org; the site is at {site_url}",
        "Options +FollowSymLinks",
        "RewriteEngine on",
        *_apache_accept(html=False),
        "# a resource or the ontology without an extension: the file of the format asked for",
        "RewriteCond %{ENV:KG_EXT} .",
        f"RewriteCond %{{REQUEST_URI}} !\\.({EXTENSIONS})$",
        f"RewriteRule ^(id/.+|ontology)$ {site_url}$1%{{ENV:KG_EXT}} [R=303,L]",
        f"RewriteRule ^(.*)$ {site_url}$1 [R=302,L]",
        "",
    ]
    return "\n".join(lines)
