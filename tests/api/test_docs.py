"""API v1 schema and docs: open without a token, and the docs page works offline under the CSP."""

import re

from django.contrib.staticfiles import finders
from django.test import Client

PERSON_OPERATIONS = {
    "/api/v1/persons/": {"get", "post"},
    "/api/v1/persons/{person_id}": {"get", "patch"},
}


def test_openapi_schema_needs_no_token_and_lists_the_four_operations(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Bredvid API"
    for path, methods in PERSON_OPERATIONS.items():
        assert methods <= set(schema["paths"][path]), schema["paths"].get(path)
        for method in methods:
            operation = schema["paths"][path][method]
            assert operation["security"] == [{"TokenAuth": []}]
            assert {"401", "403", "422"} <= set(operation["responses"])
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    list_params = {p["name"] for p in schema["paths"]["/api/v1/persons/"]["get"]["parameters"]}
    assert {"q", "page", "page_size"} <= list_params


def test_docs_page_needs_no_token_and_loads_only_local_scripts(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/openapi.json" in html
    for host in ("cdn.", "unpkg", "jsdelivr", "cdnjs", "googleapis"):
        assert host not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing from another origin

    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    sources = [re.search(r'src="([^"]+)"', attrs) for attrs, _ in scripts]
    local = [m.group(1) for m in sources if m]
    assert local and all(src.startswith("/static/") for src in local)
    for attrs, body in scripts:
        # an inline <script> is only allowed as data (JSON), which a browser never runs
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs
        assert "src=" not in attrs or not body.strip()
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers either

    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", policy).group(1).split()  # type: ignore[union-attr]
    assert script_src == ["'self'"], policy

    # the files the page names are shipped by ninja and served from this origin
    for url in local + re.findall(r'href="(/static/[^"]+)"', html):
        assert finders.find(url.removeprefix("/static/")), url
        assert Client().get(url).status_code == 200, url
