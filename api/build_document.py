#!/usr/bin/env python3
"""Builds the API document the server serves from api/openapi.yaml: the JSON form (for the
tests and the web app's reference page) and a C++ source that holds it (so a binary always
serves the contract it was built with).

Usage: build_document.py openapi.yaml OUT.json OUT.cpp
"""
import hashlib
import json
import sys

import yaml


def main():
    source, json_out, cpp_out = sys.argv[1:4]
    with open(source, encoding="utf-8") as f:
        document = yaml.safe_load(f)
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    with open(json_out, "w", encoding="utf-8") as f:
        f.write(text)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    delimiter = "poki_api"
    if ")" + delimiter + '"' in text:
        sys.exit("the document contains the raw string's delimiter")
    with open(cpp_out, "w", encoding="utf-8") as f:
        f.write(
            "// Generated from api/openapi.yaml by api/build_document.py: do not edit.\n"
            '#include "poki/ops/api_document.hpp"\n\n'
            "namespace poki::ops {\n\n"
            "std::string_view api_document() noexcept {\n"
            f'    return R"{delimiter}({text}){delimiter}";\n'
            "}\n\n"
            "std::string_view api_document_etag() noexcept {\n"
            f'    return "\\"{digest}\\"";\n'
            "}\n\n"
            "}  // namespace poki::ops\n")


if __name__ == "__main__":
    main()
