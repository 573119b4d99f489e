//! The tests of `plan::containers`: Compose files, Dockerfiles, templates and commands read
//! into services, each asserting the exact mounts and values.

use std::collections::HashMap;

use super::*;

fn compose(path: &str, text: &str) -> Vec<Service> {
    from_compose(Path::new(path), text).expect("valid compose file")
}

/// (runtime, local) of each mount, as strings.
fn binds_of(mounts: &[Mount]) -> Vec<(String, String)> {
    mounts
        .iter()
        .map(|m| {
            (
                m.runtime.display().to_string(),
                m.local.display().to_string(),
            )
        })
        .collect()
}

fn binds(s: &Service) -> Vec<(String, String)> {
    binds_of(&s.mounts)
}

fn pair(runtime: &str, local: impl AsRef<Path>) -> (String, String) {
    (runtime.to_string(), local.as_ref().display().to_string())
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn paths(list: &[&str]) -> Vec<PathBuf> {
    list.iter().map(PathBuf::from).collect()
}

#[test]
fn short_volumes_are_joined_with_the_compose_directory_whatever_the_mode() {
    let text = "\
services:
  proxy:
    image: nginx:1.27-alpine
    volumes:
      - ./nginx:/etc/nginx
      - ./nginx.conf:/etc/nginx/nginx.conf:ro
      - ../shared/snippets/:/etc/nginx/snippets/:rw
      - ./certs/./live/../live:/etc/ssl/live:ro,z
";
    let services = compose("deploy/compose.yaml", text);
    assert_eq!(services.len(), 1);
    let s = &services[0];
    assert_eq!((s.name.as_str(), s.line), ("proxy", 2));
    assert_eq!(s.image.as_deref(), Some("nginx:1.27-alpine"));
    assert_eq!(
        binds(s),
        vec![
            pair("/etc/nginx", "deploy/nginx"),
            pair("/etc/nginx/nginx.conf", "deploy/nginx.conf"),
            pair("/etc/nginx/snippets", "shared/snippets"),
            pair("/etc/ssl/live", "deploy/certs/live"),
        ]
    );
    let lines: Vec<usize> = s.mounts.iter().map(|m| m.line).collect();
    assert_eq!(lines, vec![5, 6, 7, 8]);
    assert_eq!(
        s.mounts[1].origin,
        "deploy/compose.yaml:6 (service proxy, volumes)"
    );
    assert_eq!(s.project, vec!["proxy".to_string()]);
}

#[test]
fn named_anonymous_and_outside_volumes_are_skipped() {
    let text = "\
services:
  proxy:
    image: nginx
    volumes:
      - logs:/var/log/nginx
      - /etc/letsencrypt:/etc/letsencrypt:ro
      - ~/certs:/certs
      - /var/cache/nginx
      - ./a.conf:relative/target
      - ./conf.d:/etc/nginx/conf.d
volumes:
  logs: {}
";
    let s = &compose("compose.yaml", text)[0];
    assert_eq!(binds(s), vec![pair("/etc/nginx/conf.d", "conf.d")]);
    assert_eq!(s.mounts[0].line, 10);
}

#[test]
fn long_volume_syntax_keeps_binds_only() {
    let text = "\
services:
  lb:
    image: haproxy:2.8
    volumes:
      - type: volume
        source: data
        target: /var/lib/haproxy
      - type: bind
        source: ./haproxy.cfg
        target: /usr/local/etc/haproxy/haproxy.cfg
        read_only: true
      - type: tmpfs
        target: /run
      - type: bind
        source: /srv/errors
        target: /etc/haproxy/errors
";
    let s = &compose("ops/lb/compose.yml", text)[0];
    assert_eq!(
        binds(s),
        vec![pair(
            "/usr/local/etc/haproxy/haproxy.cfg",
            "ops/lb/haproxy.cfg"
        )]
    );
    assert_eq!(s.mounts[0].line, 10);
}

#[test]
fn configs_and_secrets_mount_their_files() {
    let text = "\
services:
  lb:
    image: haproxy:2.8
    configs:
      - source: proxy_conf
        target: /usr/local/etc/haproxy/haproxy.cfg
      - site
      - managed
    secrets:
      - cert
      - source: cert
        target: tls.pem
configs:
  proxy_conf:
    file: ./haproxy.cfg
  site:
    file: ./sites/site.cfg
  managed:
    external: true
secrets:
  cert:
    file: ../certs/site.pem
";
    let s = &compose("deploy/compose.yaml", text)[0];
    assert_eq!(
        binds(s),
        vec![
            pair("/usr/local/etc/haproxy/haproxy.cfg", "deploy/haproxy.cfg"),
            pair("/site", "deploy/sites/site.cfg"),
            pair("/run/secrets/cert", "certs/site.pem"),
            pair("/run/secrets/tls.pem", "certs/site.pem"),
        ]
    );
    assert_eq!(
        s.mounts[0].origin,
        "deploy/compose.yaml:6 (service lb, configs)"
    );
    assert!(s.mounts[2].origin.ends_with("(service lb, secrets)"));
}

#[test]
fn interpolation_uses_defaults_and_drops_unknowns() {
    let text = "\
services:
  proxy:
    image: nginx:${TAG:-1.27}
    volumes:
      - ${NGINX_DIR:-./nginx}:/etc/nginx
      - ${CONF-./conf.d}:${TARGET:-/etc/nginx/conf.d}:ro
      - ${CERTS}:/certs
      - $LOGS/x:/x
      - ./a:/b/${UNSET}
    environment:
      SERVER_NAME: ${HOST:-example.com}
      UNKNOWN: ${NOPE}
      PORT: 8080
";
    let s = &compose("compose.yaml", text)[0];
    assert_eq!(s.image.as_deref(), Some("nginx:1.27"));
    assert_eq!(
        binds(s),
        vec![
            pair("/etc/nginx", "nginx"),
            pair("/etc/nginx/conf.d", "conf.d"),
        ]
    );
    assert_eq!(
        s.env,
        vec![
            ("SERVER_NAME".to_string(), "example.com".to_string()),
            ("PORT".to_string(), "8080".to_string()),
        ]
    );
}

#[test]
fn expansion_rules() {
    assert_eq!(interpolate("${A:-${B:-x}}/y").as_deref(), Some("x/y"));
    assert_eq!(interpolate("$$HOST and $").as_deref(), Some("$HOST and $"));
    assert_eq!(interpolate("${A:?required}"), None);
    assert_eq!(interpolate("${A:+alt}"), None);
    assert_eq!(interpolate("${A"), None);
    let vars = |n: &str| match n {
        "DIR" => Some("/etc/nginx".to_string()),
        "EMPTY" => Some(String::new()),
        _ => None,
    };
    assert_eq!(
        expand("$DIR/${EMPTY:-conf.d}", &vars, false).as_deref(),
        Some("/etc/nginx/conf.d")
    );
    assert_eq!(expand("${EMPTY-x}", &vars, false).as_deref(), Some(""));
    assert_eq!(expand("${DIR:+on}", &vars, false).as_deref(), Some("on"));
    assert_eq!(expand("\\$DIR", &vars, false).as_deref(), Some("$DIR"));
    assert_eq!(expand("$OTHER", &vars, false), None);
}

#[test]
fn merge_keys_and_service_lines() {
    let text = "\
x-proxy: &proxy
  image: nginx:1.27
  volumes:
    - ./nginx.conf:/etc/nginx/nginx.conf:ro
services:
  app:
    image: node:20
    depends_on:
      b:
        condition: service_started
  a:
    <<: *proxy
  b:
    <<: *proxy
    image: openresty/openresty
";
    let services = compose("compose.yaml", text);
    let summary: Vec<(&str, usize, Option<&str>, usize)> = services
        .iter()
        .map(|s| (s.name.as_str(), s.line, s.image.as_deref(), s.mounts.len()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("app", 6, Some("node:20"), 0),
            ("a", 11, Some("nginx:1.27"), 1),
            ("b", 13, Some("openresty/openresty"), 1),
        ]
    );
    assert_eq!(services[2].project, vec!["app", "a", "b"]);
}

#[test]
fn unparseable_yaml_is_an_error_naming_the_file() {
    let err = from_compose(Path::new("x/compose.yaml"), "services: [\n  a: b\n").unwrap_err();
    assert!(err.starts_with("x/compose.yaml: "), "{err}");
    assert_eq!(from_compose(Path::new("c.yaml"), "").unwrap(), Vec::new());
    assert_eq!(
        from_compose(Path::new("c.yaml"), "- a\n").unwrap(),
        Vec::new()
    );
    // Nested aliases that would expand to 10^7 nodes are refused, not expanded.
    let mut laughs = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..7 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        laughs.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let err = from_compose(Path::new("c.yaml"), &laughs).unwrap_err();
    assert!(err.starts_with("c.yaml: YAML aliases expand"), "{err}");
    // The map, two keys, two lists, x and y, and two copies of the anchored list (3 each).
    assert_eq!(AliasBudget::measure("a: &a [x, y]\nb: [*a, *a]\n"), 13);
}

#[test]
fn build_context_reads_the_dockerfile_with_its_workdir() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "deploy/compose.yaml",
        "\
services:
  gateway:
    build:
      context: ./proxy
      dockerfile: Dockerfile.prod
    volumes:
      - ./override.conf:/etc/nginx/conf.d/override.conf:ro
  named:
    image: myorg/gateway:3
    build: ./proxy
",
    );
    write(
        root,
        "deploy/proxy/Dockerfile.prod",
        "\
FROM nginx:1.27-alpine
WORKDIR /etc/nginx
COPY nginx.conf .
WORKDIR conf.d
COPY sites/ ./
COPY upstream.conf \\
     cache.conf ./snippets/
",
    );
    write(root, "deploy/proxy/sites/a.conf", "");
    write(
        root,
        "deploy/proxy/Dockerfile",
        "FROM haproxy:2.8\nCOPY haproxy.cfg /usr/local/etc/haproxy/\n",
    );
    let path = root.join("deploy/compose.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let services = from_compose(&path, &text).unwrap();
    let proxy = root.join("deploy/proxy");
    let s = &services[0];
    assert_eq!(s.image.as_deref(), Some("nginx:1.27-alpine"));
    assert_eq!(s.dockerfile, Some(proxy.join("Dockerfile.prod")));
    assert_eq!(
        binds(s),
        vec![
            pair("/etc/nginx/nginx.conf", proxy.join("nginx.conf")),
            pair("/etc/nginx/conf.d", proxy.join("sites")),
            pair(
                "/etc/nginx/conf.d/snippets/upstream.conf",
                proxy.join("upstream.conf")
            ),
            pair(
                "/etc/nginx/conf.d/snippets/cache.conf",
                proxy.join("cache.conf")
            ),
            pair(
                "/etc/nginx/conf.d/override.conf",
                root.join("deploy/override.conf")
            ),
        ]
    );
    assert_eq!(
        s.mounts[0].origin,
        format!("{}:3 (COPY)", proxy.join("Dockerfile.prod").display())
    );
    assert_eq!(s.mounts[2].line, 6);
    // `image:` names the built image; the base still tells what runs.
    let named = &services[1];
    assert_eq!(named.image.as_deref(), Some("myorg/gateway:3"));
    assert_eq!(named.base_image.as_deref(), Some("haproxy:2.8"));
    assert_eq!(
        binds(named),
        vec![pair(
            "/usr/local/etc/haproxy/haproxy.cfg",
            proxy.join("haproxy.cfg")
        )]
    );
    assert_eq!(proxy_kind(named), Some(Dialect::Haproxy));
}

#[test]
fn copy_lands_directory_contents_files_and_globs_like_docker() {
    let tmp = tempfile::tempdir().unwrap();
    let ctx = tmp.path().join("lb");
    for f in [
        "conf/a.cfg",
        "haproxy.cfg",
        "errors/503.http",
        "maps/hosts.map",
        "b.lua",
        "a.lua",
        "single1.cfg",
    ] {
        write(&ctx, f, "");
    }
    let text = "\
FROM haproxy:2.8
COPY conf /usr/local/etc/haproxy/
COPY conf /usr/local/etc/haproxy/conf
COPY haproxy.cfg /usr/local/etc/haproxy/haproxy.cfg
COPY haproxy.cfg errors /usr/local/etc/haproxy/extra/
COPY [\"maps/hosts.map\", \"/usr/local/etc/haproxy/maps/\"]
COPY --chown=haproxy:haproxy --chmod=644 *.lua /usr/local/etc/haproxy/lua/
COPY single*.cfg /etc/haproxy/only.cfg
";
    let services = from_dockerfile(&ctx.join("Dockerfile"), text, &ctx);
    assert_eq!(services.len(), 1);
    let s = &services[0];
    assert_eq!((s.name.as_str(), s.line), ("lb", 1));
    assert_eq!(
        binds(s),
        vec![
            pair("/usr/local/etc/haproxy", ctx.join("conf")),
            pair("/usr/local/etc/haproxy/conf", ctx.join("conf")),
            pair(
                "/usr/local/etc/haproxy/haproxy.cfg",
                ctx.join("haproxy.cfg")
            ),
            pair(
                "/usr/local/etc/haproxy/extra/haproxy.cfg",
                ctx.join("haproxy.cfg")
            ),
            pair("/usr/local/etc/haproxy/extra", ctx.join("errors")),
            pair(
                "/usr/local/etc/haproxy/maps/hosts.map",
                ctx.join("maps/hosts.map")
            ),
            pair("/usr/local/etc/haproxy/lua/a.lua", ctx.join("a.lua")),
            pair("/usr/local/etc/haproxy/lua/b.lua", ctx.join("b.lua")),
            pair("/etc/haproxy/only.cfg", ctx.join("single1.cfg")),
        ]
    );
    assert_eq!(
        s.mounts[6].origin,
        format!("{}:7 (COPY)", ctx.join("Dockerfile").display())
    );
}

#[test]
fn only_the_final_stage_counts_and_copy_from_is_skipped() {
    let text = "\
# syntax=docker/dockerfile:1
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app
FROM nginx:1.27 AS base
COPY nginx.conf /etc/nginx/nginx.conf
ENV NGINX_ENVSUBST_OUTPUT_DIR=/etc/nginx/http.d
FROM base
COPY --from=build /out/app /usr/local/bin/app
ADD https://example.com/mime.types /etc/nginx/mime.types
ADD rootfs.tar.gz /
COPY <<EOF /etc/nginx/conf.d/inline.conf
COPY not-an-instruction /nowhere
EOF
COPY conf.d/default.conf /etc/nginx/conf.d/
";
    let services = from_dockerfile(Path::new("web/Dockerfile"), text, Path::new("web"));
    let s = &services[0];
    assert_eq!((s.name.as_str(), s.line), ("web", 9));
    assert_eq!(s.image.as_deref(), Some("nginx:1.27"));
    assert_eq!(
        binds(s),
        vec![
            pair("/etc/nginx/nginx.conf", "web/nginx.conf"),
            pair("/etc/nginx/conf.d/default.conf", "web/conf.d/default.conf"),
        ]
    );
    assert_eq!(s.mounts[1].line, 16);
    assert_eq!(
        s.env_var("NGINX_ENVSUBST_OUTPUT_DIR"),
        Some("/etc/nginx/http.d")
    );
    // A build target picks its stage instead.
    let build = dockerfile_stage(
        Path::new("web/Dockerfile"),
        text,
        Path::new("web"),
        &HashMap::new(),
        Some("build"),
    )
    .unwrap();
    assert_eq!(build.image.as_deref(), Some("golang:1.22"));
    assert_eq!(binds_of(&build.mounts), vec![pair("/src", "web")]);
    let empty = from_dockerfile(Path::new("Dockerfile"), "# nothing\n", Path::new("."));
    assert!(empty.is_empty());
}

#[test]
fn dockerfile_continuations_comments_env_and_args() {
    let text = "\
ARG TAG=1.27
FROM nginx:${TAG}-alpine
ARG CONF_DIR=/etc/nginx
COPY a.conf \\
# a comment inside the continuation
     b.conf $CONF_DIR/conf.d/
ENV A=1 B=\"two words\"
ENV LEGACY some value
COPY c.conf ${MISSING}/c.conf
";
    let s = &from_dockerfile(Path::new("p/Dockerfile"), text, Path::new("p"))[0];
    assert_eq!(s.image.as_deref(), Some("nginx:1.27-alpine"));
    assert_eq!(
        binds(s),
        vec![
            pair("/etc/nginx/conf.d/a.conf", "p/a.conf"),
            pair("/etc/nginx/conf.d/b.conf", "p/b.conf"),
        ]
    );
    assert_eq!(s.mounts[1].line, 4);
    let env: Vec<(&str, &str)> = s
        .env
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        env,
        vec![("A", "1"), ("B", "two words"), ("LEGACY", "some value")]
    );
    let args = HashMap::from([("TAG".to_string(), "1.25".to_string())]);
    let stage = dockerfile_stage(Path::new("p/Dockerfile"), text, Path::new("p"), &args, None);
    assert_eq!(stage.unwrap().image.as_deref(), Some("nginx:1.25-alpine"));
}

#[test]
fn haproxy_file_lists_from_commands() {
    let text = "\
services:
  lb:
    image: haproxy:2.8
    working_dir: /usr/local/etc/haproxy
    command: haproxy -f /usr/local/etc/haproxy/haproxy.cfg -f conf.d -- /etc/haproxy/extra.cfg
  lb2:
    image: haproxy:2.8-alpine
    command: [\"-f\", \"/usr/local/etc/haproxy/base.cfg\", \"-f\", \"${SITES:-/usr/local/etc/haproxy/sites}\"]
  lb3:
    image: alpine:3.20
    entrypoint: [\"/bin/sh\", \"-c\"]
    command: [\"exec /usr/sbin/haproxy -W -f /etc/haproxy/haproxy.cfg -f $$EXTRA && true\"]
    environment:
      EXTRA: /etc/haproxy/extra.cfg
  web:
    image: nginx
    command: [\"nginx\", \"-g\", \"daemon off;\"]
  app:
    image: node:20
    command: [\"-f\", \"/x\"]
";
    let services = compose("compose.yaml", text);
    let files: Vec<Vec<PathBuf>> = services.iter().map(|s| s.haproxy_files.clone()).collect();
    assert_eq!(
        files,
        vec![
            paths(&[
                "/usr/local/etc/haproxy/haproxy.cfg",
                "/usr/local/etc/haproxy/conf.d",
                "/etc/haproxy/extra.cfg"
            ]),
            paths(&[
                "/usr/local/etc/haproxy/base.cfg",
                "/usr/local/etc/haproxy/sites"
            ]),
            paths(&["/etc/haproxy/haproxy.cfg", "/etc/haproxy/extra.cfg"]),
            Vec::new(),
            Vec::new(),
        ]
    );
    assert_eq!(services[3].command, vec!["nginx", "-g", "daemon off;"]);
    let kinds: Vec<Option<Dialect>> = services.iter().map(proxy_kind).collect();
    assert_eq!(
        kinds,
        vec![
            Some(Dialect::Haproxy),
            Some(Dialect::Haproxy),
            Some(Dialect::Haproxy),
            Some(Dialect::Nginx),
            None
        ]
    );
}

#[test]
fn haproxy_file_lists_from_dockerfile_cmd() {
    let exec = "\
FROM haproxy:2.8
ENV CFG_DIR=/usr/local/etc/haproxy
COPY haproxy.cfg $CFG_DIR/haproxy.cfg
CMD [\"haproxy\", \"-f\", \"/usr/local/etc/haproxy/haproxy.cfg\", \"-f\", \"/usr/local/etc/haproxy/conf.d/\"]
";
    let s = &from_dockerfile(Path::new("lb/Dockerfile"), exec, Path::new("lb"))[0];
    assert_eq!(
        s.haproxy_files,
        paths(&[
            "/usr/local/etc/haproxy/haproxy.cfg",
            "/usr/local/etc/haproxy/conf.d"
        ])
    );
    assert_eq!(
        binds(s),
        vec![pair("/usr/local/etc/haproxy/haproxy.cfg", "lb/haproxy.cfg")]
    );
    let shell = "\
FROM debian:12
ENV CFG=/etc/haproxy/haproxy.cfg
WORKDIR /etc/haproxy
ENTRYPOINT haproxy -W -f $CFG -f extra.d
";
    let s = &from_dockerfile(Path::new("lb/Dockerfile"), shell, Path::new("lb"))[0];
    assert_eq!(
        s.haproxy_files,
        paths(&["/etc/haproxy/haproxy.cfg", "/etc/haproxy/extra.d"])
    );
    assert_eq!(proxy_kind(s), Some(Dialect::Haproxy));
}

#[test]
fn templates_become_conf_d_files() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    for f in [
        "templates/default.conf.template",
        "templates/api/upstream.conf.template",
        "templates/tcp.conf.stream-template",
        "templates/README.md",
        "one.conf.template",
        "custom/site.conf.tmpl",
        "custom/ignored.template",
    ] {
        write(root, f, "");
    }
    let text = "\
services:
  web:
    image: nginx:1.27
    volumes:
      - ./templates:/etc/nginx/templates:ro
      - ./one.conf.template:/etc/nginx/templates/extra/one.conf.template
  custom:
    image: nginx:1.27
    environment:
      - NGINX_ENVSUBST_TEMPLATE_DIR=/tpl
      - NGINX_ENVSUBST_TEMPLATE_SUFFIX=.tmpl
      - NGINX_ENVSUBST_OUTPUT_DIR=/etc/nginx/sites
    volumes:
      - ./custom:/tpl
  shadow:
    image: nginx:1.27
    volumes:
      - ./templates:/etc/nginx/templates
      - ./custom:/etc/nginx/templates
";
    let path = root.join("compose.yaml");
    let services = from_compose(&path, text).unwrap();
    let web = &services[0];
    assert_eq!(
        binds(web)[2..].to_vec(),
        vec![
            pair(
                "/etc/nginx/conf.d/api/upstream.conf",
                root.join("templates/api/upstream.conf.template")
            ),
            pair(
                "/etc/nginx/conf.d/default.conf",
                root.join("templates/default.conf.template")
            ),
            pair(
                "/etc/nginx/stream-conf.d/tcp.conf",
                root.join("templates/tcp.conf.stream-template")
            ),
            pair(
                "/etc/nginx/conf.d/extra/one.conf",
                root.join("one.conf.template")
            ),
        ]
    );
    assert_eq!(
        web.mounts[3].origin,
        format!("{}:5 (templates → conf.d)", path.display())
    );
    assert_eq!(
        web.mounts[4].origin,
        format!("{}:5 (templates → stream-conf.d)", path.display())
    );
    assert_eq!(web.mounts[5].line, 6);
    assert_eq!(
        binds(&services[1])[1..].to_vec(),
        vec![pair(
            "/etc/nginx/sites/site.conf",
            root.join("custom/site.conf.tmpl")
        )]
    );
    // The later mount hides the first one's templates.
    assert_eq!(
        binds(&services[2])[2..].to_vec(),
        vec![pair(
            "/etc/nginx/conf.d/ignored",
            root.join("custom/ignored.template")
        )]
    );
}

#[test]
fn proxy_kind_by_image_then_mounts() {
    let service = |image: Option<&str>, runtime: &[&str]| Service {
        name: "s".into(),
        file: "compose.yaml".into(),
        line: 1,
        image: image.map(String::from),
        base_image: None,
        dockerfile: None,
        mounts: runtime
            .iter()
            .map(|r| Mount {
                runtime: r.into(),
                local: "x".into(),
                origin: String::new(),
                line: 1,
            })
            .collect(),
        haproxy_files: Vec::new(),
        command: Vec::new(),
        env: Vec::new(),
        project: Vec::new(),
    };
    let nginx = [
        "nginx:1.27-alpine",
        "docker.io/library/nginx",
        "nginxinc/nginx-unprivileged:stable",
        "openresty/openresty:alpine",
        "bitnami/nginx:1.25",
        "lscr.io/linuxserver/swag",
        "lscr.io/linuxserver/nginx:latest",
        "jc21/nginx-proxy-manager:2",
        "registry.example.com:5000/nginx:1.27",
    ];
    for image in nginx {
        let kind = proxy_kind(&service(Some(image), &[]));
        assert_eq!(kind, Some(Dialect::Nginx), "{image}");
    }
    for image in [
        "haproxy:2.8",
        "haproxytech/haproxy-alpine:2.9",
        "haproxy@sha256:abc",
    ] {
        let kind = proxy_kind(&service(Some(image), &[]));
        assert_eq!(kind, Some(Dialect::Haproxy), "{image}");
    }
    for image in ["nginx/unit:1.32", "redis:7", "myorg/nginx-app"] {
        assert_eq!(proxy_kind(&service(Some(image), &[])), None, "{image}");
    }
    let by_mount = |runtime: &str| proxy_kind(&service(Some("myorg/gateway:3"), &[runtime]));
    assert_eq!(by_mount("/usr/local/etc/haproxy"), Some(Dialect::Haproxy));
    assert_eq!(by_mount("/etc/haproxy/haproxy.cfg"), Some(Dialect::Haproxy));
    assert_eq!(by_mount("/etc/nginx/conf.d"), Some(Dialect::Nginx));
    assert_eq!(
        by_mount("/usr/local/openresty/nginx/conf"),
        Some(Dialect::Nginx)
    );
    assert_eq!(by_mount("/etc/nginxish"), None);
    assert_eq!(proxy_kind(&service(None, &[])), None);
}

#[test]
fn discover_walks_within_bounds_and_reads_built_dockerfiles_once() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "deploy/compose.yaml",
        "services:\n  gateway:\n    build: ./proxy\n",
    );
    write(
        root,
        "deploy/proxy/Dockerfile",
        "FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/\n",
    );
    write(
        root,
        "deploy/docker-compose.prod.yml",
        "services:\n  gateway:\n    volumes:\n      - ./prod.conf:/etc/nginx/conf.d/prod.conf\n",
    );
    write(root, "web/Dockerfile", "FROM haproxy:2.8\n");
    write(
        root,
        ".hidden/compose.yaml",
        "services:\n  h:\n    image: nginx\n",
    );
    write(root, "node_modules/x/Dockerfile", "FROM nginx\n");
    write(root, "docs/Dockerfile.md", "FROM nginx\n");
    write(
        root,
        "notcompose.yaml",
        "services:\n  n:\n    image: nginx\n",
    );
    write(
        root,
        "a/b/c/d/e/f/compose.yaml",
        "services:\n  deep:\n    image: nginx\n",
    );
    write(
        root,
        "a/b/c/d/e/compose.yaml",
        "services:\n  shallow:\n    image: nginx\n",
    );
    write(root, "broken/compose.yml", "services: [\n  a: b\n");
    let big = format!("services: {{}}\n#{}\n", " ".repeat(1 << 20));
    write(root, "huge/compose.yaml", &big);
    let (services, errors) = discover(root);
    let found: Vec<(String, PathBuf)> = services
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                s.file.strip_prefix(root).unwrap().to_path_buf(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "shallow".to_string(),
                PathBuf::from("a/b/c/d/e/compose.yaml")
            ),
            ("gateway".to_string(), PathBuf::from("deploy/compose.yaml")),
            (
                "gateway".to_string(),
                PathBuf::from("deploy/docker-compose.prod.yml")
            ),
            ("web".to_string(), PathBuf::from("web/Dockerfile")),
        ]
    );
    assert_eq!(
        binds(&services[1]),
        vec![pair(
            "/etc/nginx/nginx.conf",
            root.join("deploy/proxy/nginx.conf")
        )]
    );
    assert_eq!(errors.len(), 2, "{errors:?}");
    let broken = root.join("broken/compose.yml");
    assert!(errors[0].starts_with(&format!("{}: ", broken.display())));
    assert!(errors[1].contains("larger than 1 MiB"), "{}", errors[1]);
}

#[test]
fn definition_file_names() {
    for name in [
        "compose.yaml",
        "compose.yml",
        "docker-compose.yml",
        "docker-compose.yaml",
        "docker-compose.override.yml",
        "compose.prod.yaml",
    ] {
        assert!(is_compose_name(name), "{name}");
    }
    for name in [
        "compose.json",
        "docker-compose..yml",
        "my-compose.yml",
        "compose.yaml.bak",
    ] {
        assert!(!is_compose_name(name), "{name}");
    }
    for name in [
        "Dockerfile",
        "Dockerfile.prod",
        "proxy.Dockerfile",
        "dockerfile",
    ] {
        assert!(is_dockerfile_name(name), "{name}");
    }
    for name in ["Dockerfile.dockerignore", "Dockerfile.md", "Dockerfiles"] {
        assert!(!is_dockerfile_name(name), "{name}");
    }
}

#[test]
fn normalize_is_lexical() {
    let n = |p: &str| normalize(Path::new(p)).display().to_string();
    assert_eq!(n("deploy/./nginx/../x"), "deploy/x");
    assert_eq!(n("./deploy/"), "deploy");
    assert_eq!(n("deploy/.."), ".");
    assert_eq!(n("../a/../../b"), "../../b");
    assert_eq!(n("/etc/nginx/../../../x/"), "/x");
}

#[test]
fn shell_words_split_like_sh() {
    assert_eq!(
        shell_words(r#"nginx -g 'daemon off;' -c "/etc/a b.conf" x\ y"#),
        vec!["nginx", "-g", "daemon off;", "-c", "/etc/a b.conf", "x y"]
    );
}

/// A flow sequence over several lines (`test: [⏎ "CMD-SHELL", ⏎ "true" ⏎ ]`) is plain YAML.
#[test]
fn multi_line_flow_sequences() {
    let text = "services:\n  db:\n    healthcheck:\n      test: [\n        \"CMD-SHELL\",\n        \"true\"\n      ]\n  web:\n    image: nginx\n    volumes: [\"./nginx.conf:/etc/nginx/nginx.conf:ro\"]\n";
    let services = from_compose(Path::new("compose.yaml"), text).unwrap();
    let web = services.iter().find(|s| s.name == "web").unwrap();
    assert_eq!(web.mounts.len(), 1);
    assert_eq!(
        web.mounts[0].runtime,
        PathBuf::from("/etc/nginx/nginx.conf")
    );
}
