//! Recall and precision of the secret rules on one planted image: one credential per
//! provider the secrets issue lists, each in the kind of file it really lives in
//! (`.env`, `application.yml`, shell history, Python/JS source, dotfiles, a jar, a
//! tar.gz, a file deleted by a later layer, ENV, LABEL, a build argument), plus a
//! precision set (documented examples, placeholders, public keys, certificates, hashes,
//! UUIDs, package test fixtures) that must never gate.
//!
//! Every value is generated at run time from a fixed seed (with valid GitHub/npm
//! checksums and private keys whose structure parses), so nothing credential-shaped is
//! committed. `bench/compare-trivy.sh` sets `IMGGUARD_SECRETS_CORPUS_DIR` to keep the
//! image and its `planted.json` (locations and expected rules, never values) for the
//! comparison with Trivy.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::support::image::{Blobs, Comp, Image, Layer, oci_layout_files, write_dir};
use crate::support::run::check_json;

/// splitmix64: deterministic, dependency-free randomness for the planted values.
struct Rng(u64);

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX: &[u8] = b"0123456789abcdef";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const UPPER_NUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn s(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| char::from(alphabet[(self.next() % alphabet.len() as u64) as usize]))
            .collect()
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    fn digits(&mut self, n: usize) -> String {
        let mut out = self.s(b"123456789", 1);
        out.push_str(&self.s(b"0123456789", n - 1));
        out
    }
    /// A password: mixed classes, no placeholder words, no long runs.
    fn password(&mut self, n: usize) -> String {
        format!(
            "{}{}!{}",
            self.s(LETTERS, n / 2),
            self.digits(2),
            self.s(ALNUM, n - n / 2 - 3)
        )
    }
}

fn b64(data: &[u8]) -> String {
    STANDARD.encode(data)
}

fn crc32_base62(body: &str) -> String {
    let mut n = u64::from(crc32fast::hash(body.as_bytes()));
    let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut digits = [b'0'; 6];
    for slot in digits.iter_mut().rev() {
        *slot = alphabet[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8(digits.to_vec()).unwrap()
}

/// `prefix_` + 30 random base62 + the CRC32 checksum GitHub and npm append.
fn checksummed(rng: &mut Rng, prefix: &str) -> String {
    let body = rng.s(ALNUM, 30);
    format!("{prefix}{body}{}", crc32_base62(&body))
}

// --- DER and key material whose structure parses (random numbers, not real keys) ---

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend_from_slice(&[0x81, n as u8]);
    } else {
        out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
    }
    out.extend_from_slice(content);
    out
}

fn der_int(rng: &mut Rng, bytes: usize) -> Vec<u8> {
    let mut v = rng.bytes(bytes);
    v[0] = (v[0] & 0x7f) | 0x40;
    der(0x02, &v)
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    der(0x30, &parts.concat())
}

fn rsa_pkcs1(rng: &mut Rng) -> Vec<u8> {
    let mut parts = vec![der(0x02, &[0])];
    for bytes in [256, 3, 256, 128, 128, 128, 128, 128] {
        parts.push(der_int(rng, bytes));
    }
    seq(&parts)
}

const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_PBES2: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d];

fn pkcs8(rng: &mut Rng) -> Vec<u8> {
    seq(&[
        der(0x02, &[0]),
        seq(&[der(0x06, OID_RSA), der(0x05, &[])]),
        der(0x04, &rsa_pkcs1(rng)),
    ])
}

fn ec_sec1(rng: &mut Rng) -> Vec<u8> {
    let mut point = vec![0, 4];
    point.extend(rng.bytes(64));
    seq(&[
        der(0x02, &[1]),
        der(0x04, &rng.bytes(32)),
        der(0xa0, &der(0x06, OID_P256)),
        der(0xa1, &der(0x03, &point)),
    ])
}

fn dsa(rng: &mut Rng) -> Vec<u8> {
    let mut parts = vec![der(0x02, &[0])];
    for bytes in [128, 20, 128, 128, 20] {
        parts.push(der_int(rng, bytes));
    }
    seq(&parts)
}

fn encrypted_pkcs8(rng: &mut Rng) -> Vec<u8> {
    seq(&[
        seq(&[der(0x06, OID_PBES2), seq(&[])]),
        der(0x04, &rng.bytes(1232)),
    ])
}

fn ssh_string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s);
}

fn openssh_ed25519(rng: &mut Rng) -> Vec<u8> {
    let public = rng.bytes(32);
    let mut pub_blob = Vec::new();
    ssh_string(&mut pub_blob, b"ssh-ed25519");
    ssh_string(&mut pub_blob, &public);
    let check = rng.bytes(4);
    let mut private = Vec::new();
    private.extend_from_slice(&check);
    private.extend_from_slice(&check);
    ssh_string(&mut private, b"ssh-ed25519");
    ssh_string(&mut private, &public);
    let mut secret = rng.bytes(32);
    secret.extend_from_slice(&public);
    ssh_string(&mut private, &secret);
    ssh_string(&mut private, b"deploy@build");
    let mut pad = 1u8;
    while private.len() % 8 != 0 {
        private.push(pad);
        pad += 1;
    }
    let mut out = b"openssh-key-v1\0".to_vec();
    ssh_string(&mut out, b"none");
    ssh_string(&mut out, b"none");
    ssh_string(&mut out, b"");
    out.extend_from_slice(&1u32.to_be_bytes());
    ssh_string(&mut out, &pub_blob);
    ssh_string(&mut out, &private);
    out
}

fn pgp_secret_key(rng: &mut Rng) -> Vec<u8> {
    let mut body = vec![4];
    body.extend(rng.bytes(4));
    body.push(22);
    body.extend(rng.bytes(80));
    let mut out = vec![0xc5, body.len() as u8];
    out.extend(body);
    out
}

fn wrap64(data: &[u8]) -> String {
    let text = b64(data);
    text.as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

fn pem(label: &str, der_bytes: &[u8]) -> String {
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----",
        wrap64(der_bytes)
    )
}

fn jwt(header: &Value, payload: &Value, rng: &mut Rng, sig_len: usize) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(header).unwrap()),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(payload).unwrap()),
        rng.s(B64URL, sig_len)
    )
}

// --- the corpus ---

/// Where an item sits in the image.
#[derive(Clone)]
enum Place {
    /// A text file (`path` absolute), optionally inside an archive member.
    File {
        path: String,
        member: Option<String>,
    },
    Env(String),
    Label(String),
    /// A build argument (named) in a `RUN |N` history entry.
    History(String),
}

#[derive(Clone)]
struct Item {
    name: String,
    /// Expected rule (planted) or `None` (precision set: must not gate).
    rule: Option<&'static str>,
    place: Place,
    /// 1-based inclusive line range in the file or member.
    lines: (u32, u32),
    /// The line range of the whole planted snippet (a neighbouring key such as a
    /// service account's `"type"` line counts as finding the item).
    chunk: (u32, u32),
    value: String,
}

#[derive(Default)]
struct Corpus {
    files: BTreeMap<String, String>,
    members: BTreeMap<(String, String), String>,
    /// Files built by hand (deflated zip, nested archive, gz, binary).
    raw: BTreeMap<String, Vec<u8>>,
    items: Vec<Item>,
    env: Vec<String>,
    labels: BTreeMap<String, String>,
    build_args: Vec<String>,
}

impl Corpus {
    fn append(text_of: &mut String, text: &str, value: &str) -> ((u32, u32), (u32, u32)) {
        if !text_of.is_empty() && !text_of.ends_with('\n') {
            text_of.push('\n');
        }
        let start = text_of.matches('\n').count() as u32 + 1;
        let offset = text
            .find(value)
            .unwrap_or_else(|| panic!("{value} not in {text}"));
        let first = start + text[..offset].matches('\n').count() as u32;
        let last = first + value.matches('\n').count() as u32;
        text_of.push_str(text);
        if !text.ends_with('\n') {
            text_of.push('\n');
        }
        let end = text_of.matches('\n').count() as u32;
        ((first, last), (start, end))
    }

    fn put(&mut self, name: &str, rule: Option<&'static str>, path: &str, text: &str, value: &str) {
        let (lines, chunk) =
            Self::append(self.files.entry(path.to_owned()).or_default(), text, value);
        self.items.push(Item {
            name: name.to_owned(),
            rule,
            place: Place::File {
                path: path.to_owned(),
                member: None,
            },
            lines,
            chunk,
            value: value.to_owned(),
        });
    }

    /// A planted credential in a file.
    fn plant(&mut self, name: &str, rule: &'static str, path: &str, text: &str, value: &str) {
        self.put(name, Some(rule), path, text, value);
    }

    /// A precision-set value in a file: it must never gate.
    fn decoy(&mut self, name: &str, path: &str, text: &str, value: &str) {
        self.put(name, None, path, text, value);
    }

    /// A credential in a member of an archive file (`.jar` or `.tar.gz`).
    fn plant_member(
        &mut self,
        name: &str,
        rule: &'static str,
        archive: &str,
        member: &str,
        text: &str,
        value: &str,
    ) {
        let (lines, chunk) = Self::append(
            self.members
                .entry((archive.to_owned(), member.to_owned()))
                .or_default(),
            text,
            value,
        );
        self.items.push(Item {
            name: name.to_owned(),
            rule: Some(rule),
            place: Place::File {
                path: archive.to_owned(),
                member: Some(member.to_owned()),
            },
            lines,
            chunk,
            value: value.to_owned(),
        });
    }

    /// A credential in a hand-built file: `member` is the innermost archive member,
    /// `line` its line there (0: any line, as in a binary).
    fn plant_raw(
        &mut self,
        name: &str,
        rule: &'static str,
        path: &str,
        member: Option<&str>,
        line: u32,
        value: &str,
    ) {
        self.items.push(Item {
            name: name.to_owned(),
            rule: Some(rule),
            place: Place::File {
                path: path.to_owned(),
                member: member.map(str::to_owned),
            },
            lines: (line, line),
            chunk: if line == 0 {
                (1, u32::MAX)
            } else {
                (line, line)
            },
            value: value.to_owned(),
        });
    }

    fn config_item(&mut self, name: &str, rule: Option<&'static str>, place: Place, value: &str) {
        self.items.push(Item {
            name: name.to_owned(),
            rule,
            place,
            lines: (0, 0),
            chunk: (0, 0),
            value: value.to_owned(),
        });
    }
}

/// Every provider the issue lists, in realistic files; then the precision set.
fn corpus() -> Corpus {
    let mut r = Rng(0x1f2e_3d4c_5b6a_7980);
    let mut c = Corpus::default();
    let env = "/app/.env";
    let yml = "/app/config/application.yml";
    let hist = "/root/.bash_history";

    // AWS: credentials file with the key id + secret pair; session token in .env.
    let key_id = format!("AKIA{}", r.s(B32, 16));
    let secret = r.s(B64, 40);
    let creds = format!(
        "[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\nregion = eu-west-1\n"
    );
    c.plant(
        "aws access key id",
        "secret.aws-access-key-id",
        "/root/.aws/credentials",
        &creds,
        &key_id,
    );
    let lines = c.items.last().unwrap().lines;
    c.items.last_mut().unwrap().chunk = lines;
    c.items.push(Item {
        name: "aws secret access key (paired)".into(),
        rule: Some("secret.aws-secret-access-key"),
        place: Place::File {
            path: "/root/.aws/credentials".into(),
            member: None,
        },
        lines: (lines.0 + 1, lines.0 + 1),
        chunk: (lines.0 + 1, lines.0 + 1),
        value: secret,
    });
    let sts_id = format!("ASIA{}", r.s(B32, 16));
    c.plant(
        "aws temporary key id",
        "secret.aws-temporary-access-key-id",
        env,
        &format!("AWS_ACCESS_KEY_ID={sts_id}"),
        &sts_id,
    );
    let session = format!("IQoJb3JpZ2lu{}", r.s(B64, 380));
    c.plant(
        "aws session token",
        "secret.aws-session-token",
        env,
        &format!("AWS_SESSION_TOKEN={session}"),
        &session,
    );

    // GCP.
    let sa_key = pem("PRIVATE KEY", &pkcs8(&mut r)).replace('\n', "\\n");
    let sa = format!(
        "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"acme-prod-{p}\",\n  \"private_key_id\": \"{kid}\",\n  \"private_key\": \"{sa_key}\\n\",\n  \"client_email\": \"deployer@acme-prod-{p}.iam.gserviceaccount.com\",\n  \"client_id\": \"{cid}\",\n  \"token_uri\": \"https://oauth2.googleapis.com/token\"\n}}\n",
        p = r.digits(6),
        kid = r.s(HEX, 40),
        cid = r.digits(21)
    );
    c.plant(
        "gcp service account key",
        "secret.gcp-service-account-key",
        "/app/gcp-service-account.json",
        &sa,
        &sa_key,
    );
    let gcp_api = format!("AIza{}", r.s(B64URL, 35));
    c.plant(
        "gcp api key",
        "secret.gcp-api-key",
        "/app/src/maps.js",
        &format!("const MAPS_API_KEY = \"{gcp_api}\";"),
        &gcp_api,
    );
    let gocspx = format!("GOCSPX-{}", r.s(B64URL, 28));
    c.plant(
        "gcp oauth client secret",
        "secret.gcp-oauth-client-secret",
        "/app/client_secret.json",
        &format!("{{\"installed\": {{\"client_id\": \"{}-{}.apps.googleusercontent.com\", \"client_secret\": \"{gocspx}\"}}}}", r.digits(12), r.s(b"abcdefghijklmnopqrstuvwxyz0123456789", 32)),
        &gocspx,
    );

    // Azure.
    let account_key = format!("{}==", r.s(B64, 86));
    c.plant(
        "azure storage connection string",
        "secret.azure-storage-account-key",
        yml,
        &format!("azure:\n  storage:\n    connection-string: \"DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey={account_key};EndpointSuffix=core.windows.net\""),
        &account_key,
    );
    let sig = format!("{}%3D", r.s(ALNUM, 43));
    c.plant(
        "azure sas url",
        "secret.azure-sas-token",
        env,
        &format!("BACKUP_URL=https://acmeprod.blob.core.windows.net/backups?sv=2022-11-02&ss=b&srt=co&sp=rwl&se=2031-01-01T00:00:00Z&st=2024-01-01T00:00:00Z&spr=https&sig={sig}"),
        &sig,
    );
    let az_secret = format!("{}{}Q~{}", r.s(ALNUM, 3), r.digits(1), r.s(ALNUM, 34));
    c.plant(
        "azure client secret",
        "secret.azure-ad-client-secret",
        env,
        &format!("AZURE_CLIENT_SECRET={az_secret}"),
        &az_secret,
    );

    // GitHub and GitLab.
    let ghp = checksummed(&mut r, "ghp_");
    c.plant(
        "github pat",
        "secret.github-personal-access-token",
        hist,
        &format!("export GITHUB_TOKEN={ghp}"),
        &ghp,
    );
    let gl = format!("glpat-{}", r.s(B64URL, 20));
    c.plant(
        "gitlab personal token",
        "secret.gitlab-personal-access-token",
        "/app/src/release.py",
        &format!("GITLAB_TOKEN = \"{gl}\"\n"),
        &gl,
    );
    let glrt = format!("glrt-t1_{}", r.s(ALNUM, 20));
    c.plant(
        "gitlab runner token",
        "secret.gitlab-runner-authentication-token",
        "/etc/gitlab-runner/config.toml",
        &format!("[[runners]]\n  name = \"build\"\n  url = \"https://gitlab.example.com\"\n  token = \"{glrt}\"\n  executor = \"docker\""),
        &glrt,
    );
    let deploy_token = format!("gldt-{}", r.s(ALNUM, 20));
    c.plant(
        "gitlab deploy token",
        "secret.gitlab-deploy-token",
        hist,
        &format!("docker login -u gitlab+deploy-token-7 -p {deploy_token} registry.gitlab.com"),
        &deploy_token,
    );
    let glcbt = format!("glcbt-64_{}", r.s(ALNUM, 20));
    c.plant("gitlab ci job token", "secret.gitlab-ci-job-token", hist, &format!("curl --header \"JOB-TOKEN: {glcbt}\" https://gitlab.example.com/api/v4/jobs/1/artifacts"), &glcbt);

    // Slack.
    let xoxb = format!("xoxb-{}-{}-{}", r.digits(12), r.digits(13), r.s(ALNUM, 24));
    c.plant(
        "slack bot token",
        "secret.slack-bot-token",
        env,
        &format!("SLACK_BOT_TOKEN={xoxb}"),
        &xoxb,
    );
    let slack_user = format!(
        "xoxp-{}-{}-{}-{}",
        r.digits(12),
        r.digits(12),
        r.digits(13),
        r.s(HEX, 32)
    );
    c.plant(
        "slack user token",
        "secret.slack-user-token",
        "/app/src/notify.py",
        &format!("client = WebClient(token=\"{slack_user}\")"),
        &slack_user,
    );
    let hook = format!(
        "T{}/B{}/{}",
        r.s(UPPER_NUM, 10),
        r.s(UPPER_NUM, 10),
        r.s(ALNUM, 24)
    );
    c.plant(
        "slack webhook",
        "secret.slack-webhook-url",
        yml,
        &format!("alerts:\n  slack-webhook: https://hooks.slack.com/services/{hook}"),
        &hook,
    );

    // Payments and messaging.
    let stripe = format!("sk_live_{}", r.s(ALNUM, 99));
    c.plant(
        "stripe secret key",
        "secret.stripe-secret-key",
        "/app/src/billing.js",
        &format!("const stripe = require('stripe')('{stripe}');"),
        &stripe,
    );
    let twilio_sk = format!("SK{}", r.s(HEX, 32));
    c.plant(
        "twilio api key",
        "secret.twilio-api-key",
        env,
        &format!("TWILIO_API_KEY={twilio_sk}"),
        &twilio_sk,
    );
    let twilio_auth = r.s(HEX, 32);
    c.plant(
        "twilio auth token",
        "secret.twilio-auth-token",
        env,
        &format!("TWILIO_AUTH_TOKEN={twilio_auth}"),
        &twilio_auth,
    );
    let sendgrid = format!("SG.{}.{}", r.s(B64URL, 22), r.s(B64URL, 43));
    c.plant(
        "sendgrid api key",
        "secret.sendgrid-api-key",
        "/app/src/settings.py",
        &format!("SENDGRID_API_KEY = '{sendgrid}'"),
        &sendgrid,
    );
    let mailgun = format!("key-{}", r.s(HEX, 32));
    c.plant(
        "mailgun api key",
        "secret.mailgun-api-key",
        env,
        &format!("MAILGUN_API_KEY={mailgun}"),
        &mailgun,
    );

    // Registries and their credential files.
    let npm = checksummed(&mut r, "npm_");
    c.plant(
        "npm token in .npmrc",
        "secret.npm-access-token",
        "/app/.npmrc",
        &format!("//registry.npmjs.org/:_authToken={npm}"),
        &npm,
    );
    let pypi = format!("pypi-AgEIcHlwaS5vcmc{}", r.s(B64URL, 160));
    c.plant(
        "pypi token in .pypirc",
        "secret.pypi-upload-token",
        "/root/.pypirc",
        &format!("[distutils]\nindex-servers =\n    pypi\n\n[pypi]\nusername = __token__\npassword = {pypi}"),
        &pypi,
    );
    let pypirc_pw = r.password(16);
    c.plant(
        "testpypi password in .pypirc",
        "secret.pypirc-password",
        "/root/.pypirc",
        &format!("\n[testpypi]\nrepository = https://test.pypi.org/legacy/\nusername = acme-release\npassword = {pypirc_pw}"),
        &pypirc_pw,
    );
    let dckr = format!("dckr_pat_{}", r.s(B64URL, 27));
    c.plant(
        "docker hub pat",
        "secret.dockerhub-access-token",
        hist,
        &format!("echo {dckr} | docker login -u acmeci --password-stdin"),
        &dckr,
    );
    let docker_auth = b64(format!("ci-bot:{}", r.password(18)).as_bytes());
    c.plant(
        "docker config.json auth",
        "secret.docker-config-auth",
        "/root/.docker/config.json",
        &format!("{{\n  \"auths\": {{\n    \"registry.acme.test\": {{\n      \"auth\": \"{docker_auth}\"\n    }}\n  }}\n}}"),
        &docker_auth,
    );
    let netrc_pw = r.password(20);
    c.plant(
        "netrc password",
        "secret.netrc-password",
        "/root/.netrc",
        &format!("machine artifacts.acme.test\n  login deploy\n  password {netrc_pw}"),
        &netrc_pw,
    );
    let git_pw = r.password(20);
    c.plant(
        "git-credentials",
        "secret.git-credentials",
        "/root/.git-credentials",
        &format!("https://acme-bot:{git_pw}@github.com"),
        &git_pw,
    );

    // Kubernetes.
    let client_key = b64(pem("RSA PRIVATE KEY", &rsa_pkcs1(&mut r)).as_bytes());
    let kube_token = r.s(B64URL, 48);
    let kubeconfig = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://10.0.0.1:6443\n  name: prod\nusers:\n- name: admin\n  user:\n    client-certificate-data: {}\n    client-key-data: {client_key}\n",
        b64(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    );
    c.plant(
        "kubeconfig client key",
        "secret.kubeconfig-client-key",
        "/root/.kube/config",
        &kubeconfig,
        &client_key,
    );
    c.plant(
        "kubeconfig user token",
        "secret.kubeconfig-user-token",
        "/root/.kube/config",
        &format!("- name: deployer\n  user:\n    token: {kube_token}"),
        &kube_token,
    );
    let sa_token = jwt(
        &json!({"alg": "RS256", "kid": r.s(B64URL, 43)}),
        &json!({"aud": ["https://kubernetes.default.svc"], "iss": "https://kubernetes.default.svc", "kubernetes.io": {"namespace": "prod", "serviceaccount": {"name": "deployer", "uid": "3f1c1a52-9b1e-4f0e-8d7a-2c5b6e9f0a1d"}}, "sub": "system:serviceaccount:prod:deployer"}),
        &mut r,
        342,
    );
    c.plant(
        "kubernetes service account token",
        "secret.kubernetes-service-account-token",
        "/var/run/secrets/kubernetes.io/serviceaccount/token",
        &sa_token,
        &sa_token,
    );

    // HashiCorp.
    let hvs = format!("hvs.{}", r.s(B64URL, 91));
    c.plant(
        "vault token file",
        "secret.vault-service-token",
        "/root/.vault-token",
        &hvs,
        &hvs,
    );
    let tfc = format!("{}.atlasv1.{}", r.s(ALNUM, 14), r.s(ALNUM, 67));
    c.plant(
        "terraform cloud token",
        "secret.terraform-cloud-token",
        "/root/.terraform.d/credentials.tfrc.json",
        &format!("{{\n  \"credentials\": {{\n    \"app.terraform.io\": {{\n      \"token\": \"{tfc}\"\n    }}\n  }}\n}}"),
        &tfc,
    );

    // Private keys of every kind.
    let keys: Vec<(&str, &'static str, String, String)> = vec![
        ("rsa private key", "secret.private-key-rsa", "/root/.ssh/id_rsa".into(), pem("RSA PRIVATE KEY", &rsa_pkcs1(&mut r))),
        ("ec private key", "secret.private-key-ec", "/app/keys/signing-ec.pem".into(), pem("EC PRIVATE KEY", &ec_sec1(&mut r))),
        ("dsa private key", "secret.private-key-dsa", "/etc/ssh/ssh_host_dsa_key".into(), pem("DSA PRIVATE KEY", &dsa(&mut r))),
        ("openssh private key", "secret.private-key-openssh", "/root/.ssh/id_ed25519".into(), pem("OPENSSH PRIVATE KEY", &openssh_ed25519(&mut r))),
        ("pkcs8 private key", "secret.private-key-pkcs8", "/etc/ssl/private/server.key".into(), pem("PRIVATE KEY", &pkcs8(&mut r))),
        ("encrypted pkcs8 key", "secret.private-key-pkcs8-encrypted", "/app/keys/tls-encrypted.pem".into(), pem("ENCRYPTED PRIVATE KEY", &encrypted_pkcs8(&mut r))),
        ("pgp private key", "secret.private-key-pgp", "/root/.gnupg/release-signing.asc".into(), format!("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{}\n=Ab3d\n-----END PGP PRIVATE KEY BLOCK-----", wrap64(&pgp_secret_key(&mut r)))),
        ("legacy encrypted rsa key", "secret.private-key-rsa-encrypted-legacy", "/app/keys/legacy.key".into(), format!("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,{}\n\n{}\n-----END RSA PRIVATE KEY-----", r.s(b"0123456789ABCDEF", 32), wrap64(&r.bytes(1200)))),
        ("putty private key", "secret.private-key-putty", "/root/deploy.ppk".into(), format!("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy\nPublic-Lines: 2\n{}\nPrivate-Lines: 1\n{}\nPrivate-MAC: {}", wrap64(&r.bytes(51)), b64(&r.bytes(36)), r.s(HEX, 64))),
        ("cosign private key", "secret.cosign-private-key", "/app/cosign.key".into(), pem("ENCRYPTED COSIGN PRIVATE KEY", format!("{{\"kdf\":{{\"name\":\"scrypt\",\"params\":{{\"N\":32768,\"r\":8,\"p\":1}},\"salt\":\"{}\"}},\"cipher\":{{\"name\":\"nacl/secretbox\",\"nonce\":\"{}\"}},\"ciphertext\":\"{}\"}}", b64(&r.bytes(32)), b64(&r.bytes(24)), b64(&r.bytes(160))).as_bytes())),
    ];
    for (name, rule, path, block) in keys {
        c.plant(name, rule, &path, &block, &block);
    }
    let escaped = pem("PRIVATE KEY", &pkcs8(&mut r)).replace('\n', "\\n");
    c.plant(
        "private key in an env string",
        "secret.private-key-escaped",
        env,
        &format!("JWT_PRIVATE_KEY=\"{escaped}\\n\""),
        &escaped,
    );

    // JWT.
    let token = jwt(
        &json!({"alg": "HS256", "typ": "JWT"}),
        &json!({"sub": "svc-reports", "role": "admin", "iat": 1_700_000_000}),
        &mut r,
        43,
    );
    c.plant(
        "jwt",
        "secret.jwt",
        "/app/src/client.js",
        &format!("const headers = {{ Authorization: `Bearer ${{process.env.X || '{token}'}}` }};"),
        &token,
    );

    // Database URLs.
    for (scheme, rule, host) in [
        (
            "postgresql",
            "secret.postgres-url-password",
            "db.internal:5432/app",
        ),
        (
            "mysql",
            "secret.mysql-url-password",
            "mysql.internal:3306/shop",
        ),
        (
            "mongodb+srv",
            "secret.mongodb-url-password",
            "cluster0.ab1cd.mongodb.net/prod",
        ),
        (
            "rediss",
            "secret.redis-url-password",
            "cache.internal:6380/0",
        ),
        (
            "amqp",
            "secret.amqp-url-password",
            "rabbitmq.internal:5672/orders",
        ),
    ] {
        let pw = r.password(20);
        let user = if scheme == "rediss" { "default" } else { "app" };
        let key = scheme.trim_end_matches("+srv").to_uppercase();
        c.plant(
            &format!("{scheme} url"),
            rule,
            env,
            &format!("{key}_URL={scheme}://{user}:{pw}@{host}"),
            &pw,
        );
    }

    // AI providers and platforms.
    let openai = format!("sk-proj-{}", r.s(B64URL, 156));
    c.plant(
        "openai project key",
        "secret.openai-project-key",
        "/app/src/llm.py",
        &format!("openai.api_key = \"{openai}\""),
        &openai,
    );
    let anthropic = format!("sk-ant-api03-{}AA", r.s(B64URL, 93));
    c.plant(
        "anthropic api key",
        "secret.anthropic-api-key",
        env,
        &format!("ANTHROPIC_API_KEY={anthropic}"),
        &anthropic,
    );
    let hf = format!("hf_{}", r.s(LETTERS, 34));
    c.plant(
        "hugging face token",
        "secret.huggingface-access-token",
        "/root/.cache/huggingface/token",
        &hf,
        &hf,
    );
    let dapi = format!("dapi{}", r.s(HEX, 32));
    c.plant(
        "databricks token",
        "secret.databricks-token",
        "/root/.databrickscfg",
        &format!(
            "[DEFAULT]\nhost = https://adb-{}.7.azuredatabricks.net\ntoken = {dapi}",
            r.digits(16)
        ),
        &dapi,
    );
    let dd = r.s(HEX, 32);
    c.plant(
        "datadog api key",
        "secret.datadog-api-key",
        env,
        &format!("DD_API_KEY={dd}"),
        &dd,
    );
    let dsn_key = r.s(HEX, 32);
    c.plant(
        "sentry dsn",
        "secret.sentry-dsn",
        "/app/src/settings.py",
        &format!(
            "sentry_sdk.init(dsn=\"https://{dsn_key}@o{}.ingest.sentry.io/{}\")",
            r.digits(6),
            r.digits(7)
        ),
        &dsn_key,
    );
    let shpat = format!("shpat_{}", r.s(HEX, 32));
    c.plant(
        "shopify access token",
        "secret.shopify-access-token",
        env,
        &format!("SHOPIFY_ACCESS_TOKEN={shpat}"),
        &shpat,
    );
    let heroku = format!("HRKU-{}", r.s(B64URL, 60));
    c.plant(
        "heroku api key",
        "secret.heroku-api-key",
        env,
        &format!("HEROKU_API_KEY={heroku}"),
        &heroku,
    );
    let dop = format!("dop_v1_{}", r.s(HEX, 64));
    c.plant(
        "digitalocean token",
        "secret.digitalocean-pat",
        hist,
        &format!("doctl auth init --access-token {dop}"),
        &dop,
    );
    let cf = r.s(B64URL, 40);
    c.plant(
        "cloudflare api token",
        "secret.cloudflare-api-token",
        env,
        &format!("CLOUDFLARE_API_TOKEN={cf}"),
        &cf,
    );

    // Password assignments judged by the value: a nested Spring datasource password
    // (medium, gates) and a generic one (low, non-gating by design, but found).
    let spring_pw = r.password(18);
    c.plant(
        "spring datasource password",
        "secret.yaml-database-password",
        yml,
        &format!("spring:\n  datasource:\n    url: jdbc:postgresql://db.internal:5432/app\n    username: app\n    password: {spring_pw}"),
        &spring_pw,
    );
    let admin_pw = r.password(16);
    c.plant(
        "generic password in python",
        "secret.generic-password-assignment",
        "/app/src/settings.py",
        &format!("ADMIN_PASSWORD = \"{admin_pw}\""),
        &admin_pw,
    );

    // Providers beyond the list that Trivy's built-in rules cover.
    let parity = "/app/.env.production";
    let hexu = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    // Written by hand: `json!` sorts keys, and a Grafana key starts with `{"k":`.
    let grafana = URL_SAFE_NO_PAD.encode(format!(
        "{{\"k\":\"{}\",\"n\":\"deploy\",\"id\":1}}",
        r.s(ALNUM, 32)
    ));
    let dockerconfigjson = b64(
        &serde_json::to_vec(&json!({"auths": {"registry.acme.test": {"auth": b64(format!("ci:{}", r.password(16)).as_bytes())}}}))
            .unwrap(),
    );
    let parity_items: Vec<(&str, &'static str, String)> = vec![
        (
            "adobe client secret",
            "secret.adobe-client-secret",
            format!("p8e-{}", r.s(ALNUM, 32)),
        ),
        (
            "clojars token",
            "secret.clojars-deploy-token",
            format!("CLOJARS_{}", r.s(HEX, 60)),
        ),
        (
            "duffel token",
            "secret.duffel-api-token",
            format!("duffel_live_{}", r.s(B64URL, 43)),
        ),
        (
            "dynatrace token",
            "secret.dynatrace-api-token",
            format!("dt0c01.{}.{}", r.s(hexu, 24), r.s(hexu, 64)),
        ),
        (
            "easypost key",
            "secret.easypost-api-key",
            format!("EZAK{}", r.s(ALNUM, 54)),
        ),
        (
            "flutterwave secret key",
            "secret.flutterwave-secret-key",
            format!("FLWSECK-{}-X", r.s(HEX, 32)),
        ),
        (
            "frame.io token",
            "secret.frameio-api-token",
            format!("fio-u-{}", r.s(B64URL, 64)),
        ),
        ("grafana api key", "secret.grafana-api-key", grafana),
        (
            "hubspot private app token",
            "secret.hubspot-private-app-token",
            format!(
                "pat-na1-{}-{}-{}-{}-{}",
                r.s(HEX, 8),
                r.s(HEX, 4),
                r.s(HEX, 4),
                r.s(HEX, 4),
                r.s(HEX, 12)
            ),
        ),
        (
            "mapbox secret token",
            "secret.mapbox-secret-token",
            format!(
                "sk.eyJ1IjoiYWNtZS1tYXBzIiwiYSI6I{}In0.{}",
                r.s(ALNUM, 20),
                r.s(B64URL, 22)
            ),
        ),
        (
            "private packagist token",
            "secret.private-packagist-token",
            format!("packagist_uut_{}", r.s(HEX, 68)),
        ),
        (
            "rubygems key",
            "secret.rubygems-api-key",
            format!("rubygems_{}", r.s(HEX, 48)),
        ),
        (
            "brevo key",
            "secret.brevo-api-key",
            format!("xkeysib-{}-{}", r.s(HEX, 64), r.s(ALNUM, 16)),
        ),
        (
            "shippo token",
            "secret.shippo-api-token",
            format!("shippo_live_{}", r.s(HEX, 40)),
        ),
    ];
    for (name, rule, value) in parity_items {
        let key = name.to_uppercase().replace([' ', '.'], "_");
        c.plant(name, rule, parity, &format!("{key}=\"{value}\""), &value);
    }
    let alibaba = r.s(ALNUM, 30);
    c.plant(
        "alibaba access key secret",
        "secret.alibaba-access-key-secret",
        parity,
        &format!("ALIBABA_CLOUD_ACCESS_KEY_SECRET=\"{alibaba}\""),
        &alibaba,
    );
    c.plant(
        "kubernetes pull secret",
        "secret.kubernetes-dockerconfigjson",
        "/app/deploy/pull-secret.yaml",
        &format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {dockerconfigjson}"),
        &dockerconfigjson,
    );

    // Names and files where the value's format alone is not enough: the rule needs
    // the neighbourhood (a key id, the word Datadog/Twilio, index-servers).
    let s3_id = format!("AKIA{}", r.s(B32, 16));
    let s3_secret = r.s(B64, 40);
    c.plant(
        "s3cmd access key",
        "secret.aws-access-key-id",
        "/root/.s3cfg",
        &format!("[default]\naccess_key = {s3_id}"),
        &s3_id,
    );
    c.plant(
        "s3cmd secret_key",
        "secret.aws-secret-key-near-key-id",
        "/root/.s3cfg",
        &format!("secret_key = {s3_secret}\nhost_base = s3.amazonaws.com"),
        &s3_secret,
    );
    let tf_secret = r.s(B64, 40);
    let tf_id = format!("AKIA{}", r.s(B32, 16));
    c.plant(
        "terraform aws provider access_key",
        "secret.aws-access-key-id",
        "/app/infra/main.tf",
        &format!("provider \"aws\" {{\n  region     = \"eu-west-1\"\n  access_key = \"{tf_id}\""),
        &tf_id,
    );
    // One snippet per line here: credit a finding on the item's own line only.
    c.items.last_mut().unwrap().chunk = c.items.last().unwrap().lines;
    c.plant(
        "terraform aws provider secret_key",
        "secret.aws-secret-key-near-key-id",
        "/app/infra/main.tf",
        &format!("  secret_key = \"{tf_secret}\"\n}}"),
        &tf_secret,
    );
    c.items.last_mut().unwrap().chunk = c.items.last().unwrap().lines;
    let dd_agent = r.s(HEX, 32);
    c.plant(
        "datadog agent api_key",
        "secret.datadog-agent-api-key",
        "/etc/datadog-agent/datadog.yaml",
        &format!("## @param api_key - string - required\n## The Datadog API key used by your Agent to submit metrics and events to Datadog.\n#\napi_key: {dd_agent}\n\nsite: datadoghq.eu"),
        &dd_agent,
    );
    let twilio_code = r.s(HEX, 32);
    c.plant(
        "twilio quickstart auth_token",
        "secret.twilio-auth-token-near-client",
        "/app/src/sms.py",
        &format!("from twilio.rest import Client\n\naccount_sid = \"AC{}\"\nauth_token = \"{twilio_code}\"\nclient = Client(account_sid, auth_token)", r.s(HEX, 32)),
        &twilio_code,
    );
    let mailgun_v2 = format!("{}-{}-{}", r.s(HEX, 32), r.s(HEX, 8), r.s(HEX, 8));
    c.plant(
        "mailgun current-format key",
        "secret.mailgun-private-api-key",
        "/app/config/mail.env",
        &format!("MAILGUN_API_KEY={mailgun_v2}"),
        &mailgun_v2,
    );
    let nexus_pw = r.password(18);
    c.plant(
        "private index password in .pypirc",
        "secret.pypirc-index-password",
        "/home/app/.pypirc",
        &format!("[distutils]\nindex-servers =\n    internal\n\n[internal]\nrepository = https://nexus.acme.test/repository/pypi-internal/\nusername = release-bot\npassword = {nexus_pw}"),
        &nexus_pw,
    );
    let pip_pw = r.password(18);
    c.plant(
        "pip.conf index-url credentials",
        "secret.url-credentials",
        "/etc/pip.conf",
        &format!(
            "[global]\nindex-url = https://deploy:{pip_pw}@nexus.acme.test/repository/pypi/simple"
        ),
        &pip_pw,
    );
    let helm_key = pem("EC PRIVATE KEY", &ec_sec1(&mut r)).replace('\n', "\n    ");
    c.plant(
        "private key indented in helm values",
        "secret.private-key-ec",
        "/app/deploy/values.yaml",
        &format!("tls:\n  key: |\n    {helm_key}"),
        &helm_key,
    );

    // Ecosystem files: node-config JSON, WordPress.
    let json_pw = r.password(18);
    c.plant(
        "json db password (node-config)",
        "secret.json-database-password",
        "/app/config/default.json",
        &format!("{{\n  \"port\": 8080,\n  \"db\": {{\n    \"host\": \"db.internal\",\n    \"user\": \"app\",\n    \"password\": \"{json_pw}\"\n  }}\n}}"),
        &json_pw,
    );
    let wp_pw = r.password(16);
    c.plant("wordpress DB_PASSWORD", "secret.php-define-password", "/var/www/html/wp-config.php", &format!("<?php\ndefine( 'DB_NAME', 'wordpress' );\ndefine( 'DB_USER', 'wordpress' );\ndefine( 'DB_PASSWORD', '{wp_pw}' );"), &wp_pw);
    let wp_salt = r.s(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*-_[]{}<>~+=,.;:/?|",
        64,
    );
    c.plant(
        "wordpress AUTH_KEY",
        "secret.wordpress-auth-key",
        "/var/www/html/wp-config.php",
        &format!("define( 'AUTH_KEY',         '{wp_salt}' );"),
        &wp_salt,
    );
    let adc_refresh = format!("1//0{}", r.s(B64URL, 99));
    c.plant(
        "gcloud application default credentials",
        "secret.gcp-oauth-refresh-token",
        "/root/.config/gcloud/application_default_credentials.json",
        &format!("{{\n  \"client_id\": \"764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com\",\n  \"client_secret\": \"d-FL95Q19q7MQmFpd7hHD0Ty\",\n  \"refresh_token\": \"{adc_refresh}\",\n  \"type\": \"authorized_user\"\n}}"),
        &adc_refresh,
    );
    // Its client_secret is the gcloud SDK's public one: never a finding that gates.
    let adc_lines = c.items.last().unwrap().lines;
    c.items.push(Item {
        name: "gcloud's public client secret".into(),
        rule: None,
        place: Place::File {
            path: "/root/.config/gcloud/application_default_credentials.json".into(),
            member: None,
        },
        lines: (adc_lines.0 - 1, adc_lines.0 - 1),
        chunk: (adc_lines.0 - 1, adc_lines.0 - 1),
        value: "d-FL95Q19q7MQmFpd7hHD0Ty".into(),
    });

    // Hand-built files: a deflated zip, a jar inside a tar.gz, a single .gz file and
    // a compiled class (a binary: scanned through its printable strings).
    let fine_grained = format!("github_pat_{}_{}", r.s(ALNUM, 22), r.s(ALNUM, 59));
    c.raw.insert(
        "/app/lambda.zip".into(),
        zip(
            &[
                ("index.js", b"exports.handler = async () => 1;\n"),
                (
                    ".env",
                    format!("NODE_ENV=production\nGITHUB_TOKEN={fine_grained}\n").as_bytes(),
                ),
            ],
            true,
        ),
    );
    c.plant_raw(
        "github fine-grained pat in a deflated zip",
        "secret.github-fine-grained-pat",
        "/app/lambda.zip",
        Some(".env"),
        2,
        &fine_grained,
    );
    let nested_bot = format!("xoxb-{}-{}-{}", r.digits(12), r.digits(13), r.s(ALNUM, 24));
    let inner_jar = zip(
        &[
            ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
            (
                "application.properties",
                format!("slack.bot-token={nested_bot}\n").as_bytes(),
            ),
        ],
        true,
    );
    c.raw.insert(
        "/opt/dist.tar.gz".into(),
        tar_gz(&[
            ("dist/README", b"build 42\n"),
            ("dist/lib/notifier.jar", &inner_jar),
        ]),
    );
    c.plant_raw(
        "slack token in a jar inside a tar.gz",
        "secret.slack-bot-token",
        "/opt/dist.tar.gz",
        Some("application.properties"),
        1,
        &nested_bot,
    );
    let gz_key = format!("rk_live_{}", r.s(ALNUM, 99));
    c.raw.insert(
        "/var/backups/app.env.gz".into(),
        gzip(format!("APP_ENV=prod\nSTRIPE_KEY={gz_key}\n").as_bytes()),
    );
    let gz_member = "app.env";
    c.plant_raw(
        "stripe restricted key in a .gz",
        "secret.stripe-restricted-key",
        "/var/backups/app.env.gz",
        Some(gz_member),
        2,
        &gz_key,
    );
    let class_token = format!("glpat-{}", r.s(B64URL, 20));
    let mut class = vec![
        0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x34, 0, 0x1d, 0x0a, 0, 2, 0, 3, 1,
    ];
    class.extend_from_slice(&(class_token.len() as u16).to_be_bytes());
    class.extend_from_slice(class_token.as_bytes());
    class.extend_from_slice(&[7, 0, 4, 1, 0, 6, 0, 0, 0xff, 0x01]);
    c.raw
        .insert("/app/classes/com/acme/Config.class".into(), class);
    c.plant_raw(
        "gitlab token in a compiled class",
        "secret.gitlab-personal-access-token",
        "/app/classes/com/acme/Config.class",
        None,
        0,
        &class_token,
    );

    // Inside a jar (Spring Boot fat jar) and a tar.gz bundle.
    let jar_pw = r.password(20);
    c.plant_member(
        "postgres url inside a jar",
        "secret.postgres-url-password",
        "/app/lib/service.jar",
        "BOOT-INF/classes/application.properties",
        &format!(
            "server.port=8080\nspring.datasource.url=postgresql://svc:{jar_pw}@db.internal:5432/svc"
        ),
        &jar_pw,
    );
    let jar_gh = checksummed(&mut r, "ghp_");
    c.plant_member(
        "github pat inside a jar",
        "secret.github-personal-access-token",
        "/app/lib/service.jar",
        "BOOT-INF/classes/application.properties",
        &format!("github.token={jar_gh}"),
        &jar_gh,
    );
    let tgz_key = format!("AKIA{}", r.s(B32, 16));
    c.plant_member(
        "aws key id inside a tar.gz",
        "secret.aws-access-key-id",
        "/opt/bundle.tar.gz",
        "etc/uploader.conf",
        &format!("access_key = {tgz_key}"),
        &tgz_key,
    );

    // A file deleted in a later layer (see `image`).
    let deleted = checksummed(&mut r, "npm_");
    c.plant(
        "npm token in a deleted .npmrc",
        "secret.npm-access-token",
        "/root/.npmrc",
        &format!("//registry.npmjs.org/:_authToken={deleted}"),
        &deleted,
    );

    // ENV, LABEL and a build argument.
    let env_pw = r.password(18);
    c.env.push(format!("DB_PASS={env_pw}"));
    c.config_item(
        "db password in ENV",
        Some("secret.database-password-assignment"),
        Place::Env("DB_PASS".into()),
        &env_pw,
    );
    let env_gh = checksummed(&mut r, "ghs_");
    c.env.push(format!("GH_TOKEN={env_gh}"));
    c.config_item(
        "github app token in ENV",
        Some("secret.github-server-to-server-token"),
        Place::Env("GH_TOKEN".into()),
        &env_gh,
    );
    let label_gl = format!("glpat-{}", r.s(B64URL, 20));
    c.labels.insert("ci.deploy-token".into(), label_gl.clone());
    c.config_item(
        "gitlab token in a LABEL",
        Some("secret.gitlab-personal-access-token"),
        Place::Label("ci.deploy-token".into()),
        &label_gl,
    );
    let arg_npm = checksummed(&mut r, "npm_");
    c.build_args.push(format!("NPM_TOKEN={arg_npm}"));
    c.config_item(
        "npm token as a build argument",
        Some("secret.npm-access-token"),
        Place::History("NPM_TOKEN".into()),
        &arg_npm,
    );

    precision_set(&mut c, &mut r);
    c
}

/// Values that look like credentials but are not: none of them may gate.
fn precision_set(c: &mut Corpus, r: &mut Rng) {
    let example = "/app/.env.example";
    for (name, line, value) in [
        (
            "aws documented key id",
            "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
            "AKIAIOSFODNN7EXAMPLE",
        ),
        (
            "aws documented secret",
            "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ),
        ("changeme", "DB_PASSWORD=changeme", "changeme"),
        (
            "<password>",
            "POSTGRES_URL=postgres://app:<password>@db:5432/app",
            "<password>",
        ),
        ("${VAR}", "DB_PASS=${DB_PASS}", "${DB_PASS}"),
        (
            "$(cat ...)",
            "API_SECRET=$(cat /run/secrets/api_secret)",
            "$(cat /run/secrets/api_secret)",
        ),
        (
            "xxxx",
            "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ),
        (
            "your-token-here",
            "SLACK_BOT_TOKEN=your-token-here",
            "your-token-here",
        ),
        (
            "stripe docs key",
            "STRIPE_SECRET_KEY=sk_test_4eC39HqLyjWDarjtT1zdp7dc",
            "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
        ),
    ] {
        c.decoy(name, example, line, value);
    }
    let env_template = "/app/config/application-template.yml";
    c.decoy(
        "spring placeholder",
        env_template,
        "spring:\n  datasource:\n    password: ${SPRING_DATASOURCE_PASSWORD}",
        "${SPRING_DATASOURCE_PASSWORD}",
    );
    c.decoy(
        "unchecked ghp",
        "/app/docs/tokens.md",
        &format!(
            "A token looks like `ghp_{}`.",
            "R4nd0mBodyWithoutAValidChecksum1234"
        ),
        "ghp_R4nd0mBodyWithoutAValidChecksum1234",
    );

    // Public keys and certificates.
    let ssh_pub = format!(
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{} deploy@build",
        r.s(B64, 43)
    );
    c.decoy(
        "ssh public key",
        "/root/.ssh/authorized_keys",
        &ssh_pub,
        &ssh_pub,
    );
    let spki = pem(
        "PUBLIC KEY",
        &seq(&[
            seq(&[der(0x06, OID_RSA), der(0x05, &[])]),
            der(0x03, &rsa_pkcs1(r)),
        ]),
    );
    c.decoy("pem public key", "/app/keys/verify.pub", &spki, &spki);
    let cert = pem(
        "CERTIFICATE",
        &seq(&[
            seq(&[der_int(r, 16), der(0x06, OID_RSA)]),
            der(0x03, &r.bytes(256)),
        ]),
    );
    c.decoy("certificate", "/etc/ssl/certs/acme-root.pem", &cert, &cert);

    // What Trivy flags but is public or not a credential.
    let pk_live = format!("pk_live_{}", r.s(ALNUM, 24));
    c.decoy(
        "stripe publishable key",
        "/app/static/checkout.js",
        &format!("const stripe = Stripe('{pk_live}');"),
        &pk_live,
    );
    let mapbox_public = format!(
        "pk.eyJ1IjoiYWNtZS1tYXBzIiwiYSI6I{}In0.{}",
        r.s(ALNUM, 20),
        r.s(B64URL, 22)
    );
    c.decoy(
        "mapbox public token",
        "/app/static/map.js",
        &format!("mapboxgl.accessToken = '{mapbox_public}';"),
        &mapbox_public,
    );
    let fake_block = format!(
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA{}\n-----END RSA PRIVATE KEY-----",
        "x".repeat(48)
    );
    c.decoy(
        "placeholder private key block",
        "/app/docs/tls.md",
        &fake_block,
        &fake_block,
    );
    let bcrypt = format!("$2b$12${}", r.s(ALNUM, 53));
    c.decoy(
        "bcrypt hash as a password",
        "/app/config/release.env",
        &format!("ADMIN_PASSWORD_HASH={bcrypt}"),
        &bcrypt,
    );
    let ca_data = b64(cert.as_bytes());
    c.decoy("kubeconfig CA data", "/root/.kube/config-ca-only", &format!("clusters:\n- cluster:\n    certificate-authority-data: {ca_data}\n    server: https://10.0.0.1:6443"), &ca_data);
    c.decoy(
        "password from the environment",
        "/app/src/db.py",
        "password = os.environ[\"DB_PASSWORD\"]",
        "os.environ[\"DB_PASSWORD\"]",
    );
    c.decoy(
        "actions secret reference",
        "/app/.github/workflows/release.yml",
        "        env:\n          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}",
        "${{ secrets.GITHUB_TOKEN }}",
    );

    // WordPress's sample config.
    c.decoy(
        "wp-config-sample DB_PASSWORD",
        "/var/www/html/wp-config-sample.php",
        "define( 'DB_PASSWORD', 'password_here' );",
        "password_here",
    );
    c.decoy(
        "wp-config-sample AUTH_KEY",
        "/var/www/html/wp-config-sample.php",
        "define( 'AUTH_KEY',         'put your unique phrase here' );",
        "put your unique phrase here",
    );

    // Hashes and UUIDs.
    let sri = format!("sha512-{}==", r.s(B64, 86));
    c.decoy(
        "npm integrity hash",
        "/app/package-lock.json",
        &format!("{{\n  \"packages\": {{\n    \"node_modules/left-pad\": {{\n      \"version\": \"1.3.0\",\n      \"integrity\": \"{sri}\"\n    }}\n  }}\n}}"),
        &sri,
    );
    let sha = r.s(HEX, 64);
    c.decoy(
        "sha256 in a token-named key",
        "/app/config/release.env",
        &format!("RELEASE_TOKEN_SHA256={sha}"),
        &sha,
    );
    let md5 = r.s(HEX, 32);
    c.decoy(
        "md5 as a secret key",
        "/app/config/release.env",
        &format!("SECRET_KEY_CHECKSUM={md5}"),
        &md5,
    );
    let uuid = format!(
        "{}-{}-4{}-a{}-{}",
        r.s(HEX, 8),
        r.s(HEX, 4),
        r.s(HEX, 3),
        r.s(HEX, 3),
        r.s(HEX, 12)
    );
    c.decoy(
        "uuid as api key id",
        "/app/config/release.env",
        &format!("API_KEY_ID={uuid}"),
        &uuid,
    );
    let uuid2 = format!(
        "{}-{}-4{}-b{}-{}",
        r.s(HEX, 8),
        r.s(HEX, 4),
        r.s(HEX, 3),
        r.s(HEX, 3),
        r.s(HEX, 12)
    );
    c.decoy(
        "uuid as a token",
        yml_decoy(),
        &format!("tracing:\n  token: {uuid2}"),
        &uuid2,
    );
    c.decoy("jwt.io example", "/app/docs/auth.md", "Example: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c");
    c.decoy(
        "db user in ENV-like file",
        "/app/config/release.env",
        "DB_USER=readonly_user",
        "readonly_user",
    );

    // Package test fixtures: well-formed credentials that must not gate.
    let fixture = "/usr/lib/python3.12/site-packages/botocore/tests/unit/test_credentials.py";
    let fixture_id = format!("AKIA{}", r.s(B32, 16));
    c.decoy(
        "aws key id in site-packages tests",
        fixture,
        &format!("ACCESS_KEY = '{fixture_id}'"),
        &fixture_id,
    );
    let fixture_gh = checksummed(r, "ghp_");
    c.decoy(
        "github pat in site-packages tests",
        "/usr/lib/python3.12/site-packages/github/tests/test_auth.py",
        &format!("TOKEN = \"{fixture_gh}\""),
        &fixture_gh,
    );
    let fixture_key = pem("RSA PRIVATE KEY", &rsa_pkcs1(r));
    c.decoy(
        "rsa key in site-packages tests",
        "/usr/lib/python3.12/site-packages/paramiko/tests/test_rsa.key",
        &fixture_key,
        &fixture_key,
    );

    // ENV placeholders.
    c.env.push("DB_PASSWORD=changeme".into());
    c.config_item(
        "changeme in ENV",
        None,
        Place::Env("DB_PASSWORD".into()),
        "changeme",
    );
    c.env.push("DB_USER=readonly_user".into());
    c.config_item(
        "db user in ENV",
        None,
        Place::Env("DB_USER".into()),
        "readonly_user",
    );
    c.env.push("API_TOKEN=${API_TOKEN}".into());
    c.config_item(
        "reference in ENV",
        None,
        Place::Env("API_TOKEN".into()),
        "${API_TOKEN}",
    );
}

fn yml_decoy() -> &'static str {
    "/app/config/tracing.yml"
}

/// A minimal zip holding `members`, stored or deflated (jars and most zips deflate).
fn zip(members: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
    let method: u16 = if deflate { 8 } else { 0 };
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, content) in members {
        let crc = crc32fast::hash(content);
        let data = if deflate {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(6));
            e.write_all(content).unwrap();
            e.finish().unwrap()
        } else {
            content.to_vec()
        };
        let (packed, len) = (data.len() as u32, content.len() as u32);
        let offset = out.len() as u32;
        out.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00");
        out.extend_from_slice(&method.to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&packed.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&data);
        central.extend_from_slice(b"PK\x01\x02\x14\x00\x14\x00\x00\x00");
        central.extend_from_slice(&method.to_le_bytes());
        central.extend_from_slice(&[0; 4]);
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&packed.to_le_bytes());
        central.extend_from_slice(&len.to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    let count = members.len() as u16;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\x00\x00\x00\x00");
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::new(6));
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn tar(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, content) in members {
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o644);
        h.set_size(content.len() as u64);
        h.set_mtime(0);
        b.append_data(&mut h, name, *content).unwrap();
    }
    b.into_inner().unwrap()
}

fn tar_gz(members: &[(&str, &[u8])]) -> Vec<u8> {
    gzip(&tar(members))
}

/// The image: everything in one layer except the `.npmrc` a second layer deletes.
fn image(c: &Corpus) -> Image {
    let mut app = Layer::new();
    let mut archives: BTreeMap<&str, Vec<(&str, &[u8])>> = BTreeMap::new();
    for ((archive, member), text) in &c.members {
        archives
            .entry(archive.as_str())
            .or_default()
            .push((member.as_str(), text.as_bytes()));
    }
    for (archive, members) in &archives {
        let bytes = if std::path::Path::new(archive)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("jar"))
        {
            zip(members, false)
        } else {
            tar_gz(members)
        };
        app = app.file(archive.trim_start_matches('/'), bytes);
    }
    for (path, bytes) in &c.raw {
        app = app.file(path.trim_start_matches('/'), bytes);
    }
    let mut base = Layer::new();
    for (path, text) in &c.files {
        if path == "/root/.npmrc" {
            base = base.file(path.trim_start_matches('/'), text);
        } else {
            app = app.file(path.trim_start_matches('/'), text);
        }
    }
    let mut img = Image::new()
        .layer(base, Comp::Gzip, "COPY .npmrc /root/.npmrc # buildkit")
        .layer(
            Layer::new().whiteout("root/.npmrc"),
            Comp::Gzip,
            "RUN /bin/sh -c rm /root/.npmrc # buildkit",
        );
    let args = c.build_args.join(" ");
    img = img.layer(
        app,
        Comp::Gzip,
        &format!(
            "RUN |{} {args} /bin/sh -c npm ci # buildkit",
            c.build_args.len()
        ),
    );
    for kv in &c.env {
        img = img.env(kv);
    }
    img.config_field("Labels", json!(c.labels))
}

fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// Whether `finding` is at `item`'s place (file path and line range, archive member,
/// ENV or LABEL key, history).
fn at_place(finding: &Value, item: &Item) -> bool {
    let loc = &finding["location"];
    match &item.place {
        Place::File { path, member } => {
            let line = loc["line"].as_u64().unwrap_or(0) as u32;
            let archive_ok = match member {
                None => loc["archive_path"].is_null(),
                Some(m) => loc["archive_path"]
                    .as_array()
                    .is_some_and(|chain| chain.last().and_then(Value::as_str) == Some(m.as_str())),
            };
            loc["source"] == "file"
                && loc["path"] == path.as_str()
                && archive_ok
                && (item.lines == (0, 0) || (item.lines.0..=item.lines.1).contains(&line))
        }
        Place::Env(key) => loc["source"] == "env" && loc["path"] == key.as_str(),
        Place::Label(key) => loc["source"] == "label" && loc["path"] == key.as_str(),
        Place::History(_) => loc["source"] == "history",
    }
}

fn place_text(item: &Item) -> String {
    match &item.place {
        Place::File { path, member: None } if item.lines.0 == 0 => path.clone(),
        Place::File { path, member: None } => format!("{path}:{}", item.lines.0),
        Place::File {
            path,
            member: Some(m),
        } => format!("{path}!{m}:{}", item.lines.0),
        Place::Env(k) => format!("ENV {k}"),
        Place::Label(k) => format!("LABEL {k}"),
        Place::History(k) => format!("history: RUN |N {k}=…"),
    }
}

/// `planted.json` for the Trivy comparison: places and expected rules, never values.
fn manifest(c: &Corpus) -> Value {
    let items: Vec<Value> = c
        .items
        .iter()
        .map(|i| {
            let (source, path, member) = match &i.place {
                Place::File { path, member } => ("file", path.clone(), member.clone()),
                Place::Env(k) => ("env", k.clone(), None),
                Place::Label(k) => ("label", k.clone(), None),
                Place::History(k) => ("history", k.clone(), None),
            };
            json!({"name": i.name, "rule": i.rule, "source": source, "path": path,
                   "member": member, "lines": [i.lines.0, i.lines.1], "chunk": [i.chunk.0, i.chunk.1],
                   "sha256": sha256_hex(&i.value), "where": place_text(i)})
        })
        .collect();
    json!({"items": items})
}

#[test]
fn every_planted_provider_is_found_and_no_precision_item_gates() {
    let c = corpus();
    let img = image(&c);
    let keep = std::env::var_os("IMGGUARD_SECRETS_CORPUS_DIR");
    let tmp = tempfile::tempdir().unwrap();
    let root = keep.map_or_else(|| tmp.path().to_owned(), std::path::PathBuf::from);
    let layout = root.join("image");
    let _ = std::fs::remove_dir_all(&layout);
    let mut blobs = Blobs::default();
    let desc = img.store(&mut blobs);
    write_dir(&layout, &oci_layout_files(&blobs, &[(desc, None)]));
    std::fs::write(
        root.join("planted.json"),
        serde_json::to_vec_pretty(&manifest(&c)).unwrap(),
    )
    .unwrap();

    let reference = format!("oci:{}", layout.display());
    let (out, report) = check_json(&reference, &[]);
    std::fs::write(root.join("imgguard.json"), &out.stdout).unwrap();
    let findings: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["category"] == "secret")
        .collect();
    let gating: Vec<&str> = report["gating"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();

    let mut problems = String::new();
    let planted: Vec<&Item> = c.items.iter().filter(|i| i.rule.is_some()).collect();
    let decoys: Vec<&Item> = c.items.iter().filter(|i| i.rule.is_none()).collect();
    assert!(planted.len() >= 70, "{} planted", planted.len());
    for item in &planted {
        let rule = item.rule.unwrap();
        let sha = sha256_hex(&item.value);
        let hit = findings.iter().any(|f| {
            f["rule"] == rule && f["secret"]["sha256"] == sha.as_str() && at_place(f, item)
        });
        if !hit {
            let near: Vec<String> = findings
                .iter()
                .filter(|f| at_place(f, item))
                .map(|f| f["rule"].as_str().unwrap_or("?").to_owned())
                .collect();
            let _ = writeln!(
                problems,
                "MISSED {} ({rule}) at {}; findings there: {near:?}",
                item.name,
                place_text(item)
            );
        }
    }
    for item in &decoys {
        let sha = sha256_hex(&item.value);
        for f in findings.iter().filter(|f| {
            f["secret"]["sha256"] == sha.as_str()
                || (!matches!(item.place, Place::History(_)) && at_place(f, item))
        }) {
            if gating.contains(&f["fingerprint"].as_str().unwrap_or("")) {
                let _ = writeln!(
                    problems,
                    "GATES {} at {} via {}",
                    item.name,
                    place_text(item),
                    f["rule"]
                );
            }
        }
    }
    // Redaction: no planted value reaches the report.
    for item in &c.items {
        if item.value.len() >= 8 && item.rule.is_some() {
            assert!(
                !out.stdout.contains(&item.value) && !out.stderr.contains(&item.value),
                "{} leaked",
                item.name
            );
        }
    }
    assert!(problems.is_empty(), "{problems}");
    assert_eq!(report["verdict"], "fail");
}
