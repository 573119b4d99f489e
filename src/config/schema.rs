//! The JSON Schema of `gwlint.toml` (`gwlint config --schema`), for editors (taplo, Even
//! Better TOML) and CI checks. Kept beside the parser; a test holds the two to the same keys.

use serde_json::{Value, json};

use crate::rules::RULES;

pub(crate) fn schema() -> Value {
    let mut known: Vec<&str> = vec!["ALL"];
    for r in RULES {
        known.push(r.code);
        known.push(r.name);
    }
    let selector = json!({
        "description": "A rule: its code (GW101), its name (undefined-upstream), a code prefix (GW1) or ALL",
        "type": "string",
        "anyOf": [
            { "enum": known },
            { "pattern": "^[Gg][Ww][0-9]{0,3}$" }
        ]
    });
    let selectors = json!({
        "anyOf": [
            { "type": "array", "items": { "$ref": "#/definitions/selector" } },
            { "$ref": "#/definitions/selector" }
        ]
    });
    let duration = json!({
        "description": "A duration with its unit: \"500ms\", \"5s\", \"90s\", \"1m\", \"1m30s\" (units ms, s, m, h, d)",
        "type": "string",
        "pattern": "^([0-9]+(ms|s|m|h|d))+$"
    });
    let severity = json!({ "type": "string", "enum": ["error", "warning", "info"] });
    let presets: Vec<&str> = crate::tables::nginx::table().presets().collect();
    let version = json!({ "type": "string", "pattern": "^[0-9]+(\\.[0-9]+){0,2}$" });
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "gwlint.toml",
        "description": "gwlint configuration: found by walking up from each linted file (gwlint.toml or .gwlint.toml, nearest wins)",
        "type": "object",
        "additionalProperties": false,
        "definitions": {
            "selector": selector,
            "selectors": selectors,
            "duration": duration,
            "severity": severity,
            "version": version,
        },
        "properties": {
            "select": {
                "description": "Only these rules (default: all). --select on the command line replaces it",
                "$ref": "#/definitions/selectors"
            },
            "extend-select": {
                "description": "Rules added to select",
                "$ref": "#/definitions/selectors"
            },
            "ignore": {
                "description": "Rules turned off (with --ignore's, too)",
                "$ref": "#/definitions/selectors"
            },
            "fail-on": {
                "description": "Exit 1 when a finding has at least this severity (default: info)",
                "$ref": "#/definitions/severity"
            },
            "severity": {
                "description": "Severity per rule (code, name, prefix or ALL; the most specific entry wins)",
                "type": "object",
                "additionalProperties": { "$ref": "#/definitions/severity" }
            },
            "per-file": {
                "description": "Rules ignored in the files a glob matches (relative to this file's directory; a glob without / matches file names anywhere)",
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["glob", "ignore"],
                    "properties": {
                        "glob": { "type": "string" },
                        "ignore": { "$ref": "#/definitions/selectors" }
                    }
                }
            },
            "nginx": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "version": {
                        "description": "The nginx version the configuration runs on (default: unknown; rules assume the defaults that break)",
                        "$ref": "#/definitions/version"
                    },
                    "prefix": {
                        "description": "nginx's conf prefix: relative includes start here (relative to this file's directory)",
                        "type": "string"
                    },
                    "build": {
                        "description": "The nginx build the configuration runs on, so a directive of a module it lacks is reported (default: unknown; every known module's directives are accepted)",
                        "enum": presets
                    },
                    "modules": {
                        "description": "Modules compiled in or loaded beyond the build's (or, without `build`, beyond nginx's default ones), by name: ngx_http_geoip2_module",
                        "type": "array",
                        "items": { "type": "string" }
                    }
                }
            },
            "haproxy": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "version": {
                        "description": "The HAProxy version the configuration runs on",
                        "$ref": "#/definitions/version"
                    },
                    "files": {
                        "description": "The -f list HAProxy runs with: files and directories (a directory's *.cfg in lexical order), relative to this file; linted as one configuration",
                        "anyOf": [
                            { "type": "array", "items": { "type": "string" } },
                            { "type": "string" }
                        ]
                    }
                }
            },
            "backend": {
                "description": "What the configuration cannot show about a backend",
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["target"],
                    "properties": {
                        "target": {
                            "description": "An upstream/backend name (app) or an address (127.0.0.1:8080, unix:/run/app.sock)",
                            "type": "string"
                        },
                        "idle_timeout": {
                            "description": "The backend closes idle keep-alive connections after this long",
                            "$ref": "#/definitions/duration"
                        },
                        "max_response_time": {
                            "description": "The backend's slowest expected response",
                            "$ref": "#/definitions/duration"
                        },
                        "max_header_size": {
                            "description": "The largest response header block the backend sends (GW502)",
                            "type": "string"
                        },
                        "websocket_ping": {
                            "description": "How often the backend pings an idle WebSocket, or \"none\" when it does not (GW201)",
                            "anyOf": [{"const": "none"}, {"$ref": "#/definitions/duration"}]
                        },
                        "tls": {
                            "description": "Whether the backend speaks TLS at the target: false for plain text, true for TLS (GW402)",
                            "type": "boolean"
                        }
                    }
                }
            },
            "link": {
                "description": "A host name that reaches a listener of another proxy of the run, which gwlint cannot know without DNS: the two are checked as one chain",
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["target", "listener"],
                    "properties": {
                        "target": {
                            "description": "The target as the outer proxy writes it: app.internal:8080, or app.internal for every port",
                            "type": "string"
                        },
                        "listener": {
                            "description": "The inner proxy's listen address it reaches: 127.0.0.1:8080, 127.0.0.1 (the target's port), unix:/run/app.sock",
                            "type": "string"
                        }
                    }
                }
            },
            "mount": {
                "description": "Where a run-time path (a directory or file the proxy reads) is in the repository; gwlint also reads Compose files and Dockerfiles, and infers /etc/nginx and the other well-known roots",
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["runtime", "path"],
                    "properties": {
                        "runtime": {
                            "description": "The absolute path at run time: /etc/nginx, /usr/local/etc/haproxy",
                            "type": "string",
                            "pattern": "^/"
                        },
                        "path": {
                            "description": "The repository path, relative to this gwlint.toml: nginx, deploy/nginx/conf.d",
                            "type": "string"
                        }
                    }
                }
            },
            "online": {
                "description": "Defaults for the --online checks",
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "dns-timeout": { "$ref": "#/definitions/duration" },
                    "connect-timeout": { "$ref": "#/definitions/duration" },
                    "resolver": {
                        "description": "The name server to ask, IP or IP:port",
                        "type": "string"
                    },
                    "cert-warn-days": {
                        "description": "Warn when a certificate expires within this many days",
                        "type": "integer",
                        "minimum": 0
                    }
                }
            }
        }
    })
}
