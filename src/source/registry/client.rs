//! A small OCI distribution client over blocking HTTP: picks the scheme (HTTPS; plain
//! HTTP only for loopback or `--insecure-registry` hosts), answers the registry's
//! challenge (anonymous or credentialed bearer tokens, basic auth), and retries
//! transient failures (connection errors, timeouts, 429, 5xx) with backoff. Responses
//! are returned unread, so blobs stream straight into the layer engine.

use std::io::Read;
use std::sync::Mutex;
use std::time::Duration;

use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue, RANGE, RETRY_AFTER, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode};

use super::RegistryError;
use super::auth::{self, Challenge, CredentialLookup};
use super::options::{RegistryOptions, is_loopback};

const USER_AGENT: &str = concat!("imgguard/", env!("CARGO_PKG_VERSION"));
const MAX_TOKEN_RESPONSE: u64 = 1 << 20;
const MAX_ERROR_BODY: u64 = 4096;
const MAX_BACKOFF: Duration = Duration::from_secs(8);
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
const FALLBACK_PROBE_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone)]
enum AuthState {
    Anonymous,
    Basic,
    Bearer(String),
}

#[derive(Debug)]
struct State {
    /// `https://host` or `http://host`, once a scheme answered.
    base: Option<String>,
    auth: AuthState,
}

/// A connection to one repository of one registry.
#[derive(Debug)]
pub struct RegistryClient {
    registry: String,
    repository: String,
    http: Client,
    retries: u32,
    /// The per-request timeout the client was built with.
    timeout: Duration,
    allow_http: bool,
    credentials: CredentialLookup,
    /// The token scope's actions: `pull`, or `pull,push` for a client that writes.
    actions: &'static str,
    state: Mutex<State>,
}

/// Why a document could not be fetched.
#[derive(Debug)]
pub enum DocumentError {
    /// The registry failed.
    Registry(RegistryError),
    /// The document is over the limit (its size or what arrived).
    TooLarge(u64),
}

/// Where a request goes.
#[derive(Debug)]
pub(super) enum Target<'a> {
    /// A path under `/v2/<repository>/`.
    Path(&'a str),
    /// An absolute URL the registry handed out (an upload location).
    Url(String),
}

/// Whether `url` is on the same scheme, host and port as `base`.
fn same_origin(base: &str, url: &str) -> bool {
    match (reqwest::Url::parse(base), reqwest::Url::parse(url)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

/// What a request sends.
pub(super) enum RequestBody<'a> {
    /// Nothing.
    Empty,
    /// Bytes held in memory.
    Bytes(&'a [u8]),
    /// A stream of known length, opened afresh for every attempt (a retry or an
    /// answer to an auth challenge cannot reuse a consumed reader).
    Stream(&'a StreamBody<'a>),
}

/// A streamed request body: how to open it and when to stop retrying it.
pub(super) struct StreamBody<'a> {
    /// Its exact length (sent as `Content-Length`).
    pub length: u64,
    /// Opens the bytes from the start.
    pub open: &'a dyn Fn() -> std::io::Result<Box<dyn Read + Send>>,
    /// Whether a failed attempt failed for a reason another attempt cannot cure (the
    /// local bytes are not what they should be): then no retry is made.
    pub give_up: &'a dyn Fn() -> bool,
}

/// The least throughput a streamed upload is allowed before its attempt times out.
const MIN_UPLOAD_BYTES_PER_SECOND: u64 = 256 * 1024;

/// What went wrong with one attempt, and whether another may help.
enum Attempt {
    Transient(String, Option<Duration>),
    Final(RegistryError),
}

impl RegistryClient {
    /// A client for `registry`/`repository` (nothing is sent yet).
    pub fn new(
        registry: &str,
        repository: &str,
        options: &RegistryOptions,
    ) -> Result<Self, RegistryError> {
        let insecure = options.is_insecure(registry);
        let mut builder = Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(options.connect_timeout)
            .timeout(options.read_timeout)
            .tls_certs_merge(trusted_certificates(registry, options)?);
        if insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        let http = builder.build().map_err(|e| RegistryError::Setup {
            registry: registry.to_owned(),
            reason: error_chain(&e),
        })?;
        Ok(Self {
            registry: registry.to_owned(),
            repository: repository.to_owned(),
            http,
            retries: options.retries,
            timeout: options.read_timeout,
            allow_http: insecure || is_loopback(registry),
            credentials: auth::lookup(registry, options),
            actions: "pull",
            state: Mutex::new(State {
                base: None,
                auth: AuthState::Anonymous,
            }),
        })
    }

    /// A client that may also write (bearer tokens are asked for `pull,push`).
    pub fn new_for_push(
        registry: &str,
        repository: &str,
        options: &RegistryOptions,
    ) -> Result<Self, RegistryError> {
        Ok(Self {
            actions: "pull,push",
            ..Self::new(registry, repository, options)?
        })
    }

    /// The registry host.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The repository.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// `scheme://host/v2/repository`, for messages (the scheme once known).
    pub fn location(&self) -> String {
        let base = self
            .state
            .lock()
            .ok()
            .and_then(|s| s.base.clone())
            .unwrap_or_else(|| format!("https://{}", self.registry));
        format!("{base}/v2/{}", self.repository)
    }

    /// GET `/v2/<repository>/<path>` with `accept`, starting at byte `from` when
    /// non-zero. Returns the successful response unread.
    pub fn get(&self, path: &str, accept: &[&str], from: u64) -> Result<Response, RegistryError> {
        let mut headers = HeaderMap::new();
        if !accept.is_empty()
            && let Ok(value) = HeaderValue::from_str(&accept.join(", "))
        {
            headers.insert(ACCEPT, value);
        }
        if from > 0
            && let Ok(value) = HeaderValue::from_str(&format!("bytes={from}-"))
        {
            headers.insert(RANGE, value);
        }
        self.send(&Method::GET, &Target::Path(path), &headers, None)
    }

    /// Sends one request to `target` with `headers` and `body`, answering auth
    /// challenges and retrying transient failures. Returns a successful (2xx) response
    /// unread; any other status is [`RegistryError::Status`].
    pub(super) fn send(
        &self,
        method: &Method,
        target: &Target<'_>,
        headers: &HeaderMap,
        body: Option<&[u8]>,
    ) -> Result<Response, RegistryError> {
        let body = body.map_or(RequestBody::Empty, RequestBody::Bytes);
        self.send_body(method, target, headers, &body)
    }

    /// [`send`](Self::send) with any [`RequestBody`].
    pub(super) fn send_body(
        &self,
        method: &Method,
        target: &Target<'_>,
        headers: &HeaderMap,
        body: &RequestBody<'_>,
    ) -> Result<Response, RegistryError> {
        let base = self.base()?;
        let (url, same_origin) = match target {
            Target::Path(path) => (format!("{base}/v2/{}/{path}", self.repository), true),
            Target::Url(url) => (url.clone(), same_origin(&base, url)),
        };
        let mut reauthenticated = false;
        let mut failures: Vec<String> = Vec::new();
        let mut attempt: u32 = 0;
        loop {
            let auth = if same_origin {
                self.auth_state()
            } else {
                // Credentials never follow an upload to another host.
                AuthState::Anonymous
            };
            let mut request = self
                .authorise(self.http.request(method.clone(), &url), &auth)
                .headers(headers.clone());
            match body {
                RequestBody::Empty => {}
                RequestBody::Bytes(bytes) => request = request.body(bytes.to_vec()),
                RequestBody::Stream(stream) => {
                    let reader = (stream.open)().map_err(|e| RegistryError::Status {
                        url: url.clone(),
                        status: 0,
                        message: format!("failed to read what is being uploaded: {e}"),
                    })?;
                    // The client's timeout covers the whole request: give a large
                    // upload the time a slow but moving link needs.
                    let seconds = stream.length / MIN_UPLOAD_BYTES_PER_SECOND;
                    request = request
                        .timeout(self.timeout.max(Duration::from_secs(seconds)))
                        .body(reqwest::blocking::Body::sized(reader, stream.length));
                }
            }
            let outcome = match request.send() {
                Ok(response) => match response.status() {
                    s if s.is_success() => return Ok(response),
                    StatusCode::UNAUTHORIZED if !reauthenticated && same_origin => {
                        reauthenticated = true;
                        let challenge = challenge_of(&response);
                        self.authenticate(challenge.as_ref(), 401)?;
                        continue;
                    }
                    StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                        return Err(auth::refused(
                            &self.registry,
                            &self.repository,
                            &self.credentials,
                            response.status().as_u16(),
                        ));
                    }
                    s if s == StatusCode::TOO_MANY_REQUESTS || s.is_server_error() => {
                        Attempt::Transient(format!("status {s}"), retry_after(&response))
                    }
                    s => Attempt::Final(RegistryError::Status {
                        url: url.clone(),
                        status: s.as_u16(),
                        message: error_message(response),
                    }),
                },
                Err(e) => Attempt::Transient(error_chain(&e), None),
            };
            match outcome {
                Attempt::Final(e) => return Err(e),
                Attempt::Transient(reason, wait) => {
                    failures.push(reason);
                    let hopeless = matches!(body, RequestBody::Stream(s) if (s.give_up)());
                    if attempt >= self.retries || hopeless {
                        return Err(RegistryError::Unreachable {
                            url,
                            reason: summarise(&failures),
                        });
                    }
                    std::thread::sleep(wait.unwrap_or_else(|| backoff(attempt)));
                    attempt += 1;
                }
            }
        }
    }

    /// `/v2/<repository>/<path>` or a `Location` a registry answered (absolute, or
    /// relative to the registry), as an absolute URL.
    pub(super) fn resolve_location(&self, location: &str) -> Result<String, RegistryError> {
        let base = self.base()?;
        let parsed = reqwest::Url::parse(&base)
            .and_then(|b| b.join(location))
            .map_err(|e| RegistryError::Status {
                url: format!("{base}/v2/{}", self.repository),
                status: 0,
                message: format!("unusable upload location `{location}`: {e}"),
            })?;
        Ok(parsed.to_string())
    }

    /// GET a small document whole (at most `limit` bytes), fetching it again when the
    /// body breaks off; `what` names it in errors.
    pub fn get_document(
        &self,
        path: &str,
        accept: &[&str],
        limit: u64,
    ) -> Result<(reqwest::header::HeaderMap, Vec<u8>), DocumentError> {
        let mut attempt = 0;
        loop {
            let response = self.get(path, accept, 0).map_err(DocumentError::Registry)?;
            if let Some(length) = response.content_length()
                && length > limit
            {
                return Err(DocumentError::TooLarge(length));
            }
            let headers = response.headers().clone();
            let mut bytes = Vec::new();
            match response
                .take(limit.saturating_add(1))
                .read_to_end(&mut bytes)
            {
                Ok(_) if bytes.len() as u64 > limit => {
                    return Err(DocumentError::TooLarge(bytes.len() as u64));
                }
                Ok(_) => return Ok((headers, bytes)),
                Err(_) if attempt < self.retries => {
                    std::thread::sleep(backoff(attempt));
                    attempt += 1;
                }
                Err(e) => {
                    return Err(DocumentError::Registry(RegistryError::Unreachable {
                        url: format!("{}/{path}", self.location()),
                        reason: format!("{} attempts failed; last: {e}", attempt + 1),
                    }));
                }
            }
        }
    }

    /// Pause before the `attempt`-th resumption of an interrupted stream.
    pub fn pause(attempt: u32) {
        std::thread::sleep(backoff(attempt));
    }

    /// How many times a broken stream may be resumed.
    pub fn retries(&self) -> u32 {
        self.retries
    }

    fn auth_state(&self) -> AuthState {
        self.state
            .lock()
            .map_or(AuthState::Anonymous, |s| s.auth.clone())
    }

    fn authorise(&self, request: RequestBuilder, auth: &AuthState) -> RequestBuilder {
        match (auth, &self.credentials.credential) {
            (AuthState::Bearer(token), _) => request.bearer_auth(token),
            (AuthState::Basic, Some(c)) => {
                request.basic_auth(&c.username, Some(c.password.expose()))
            }
            _ => request,
        }
    }

    /// The base URL, probing `/v2/` once to pick the scheme and learn the challenge.
    fn base(&self) -> Result<String, RegistryError> {
        if let Some(base) = self.state.lock().ok().and_then(|s| s.base.clone()) {
            return Ok(base);
        }
        let https = format!("https://{}", self.registry);
        let mut errors = Vec::new();
        let mut schemes = vec![https];
        if self.allow_http {
            schemes.push(format!("http://{}", self.registry));
        }
        let last = schemes.len().saturating_sub(1);
        for (i, base) in schemes.iter().enumerate() {
            // With a fallback left, one quick try; the last scheme gets the retries.
            let (tries, limit) = if i == last {
                (self.retries, None)
            } else {
                // A plain-HTTP server may never answer a TLS hello: don't wait long.
                (0, Some(FALLBACK_PROBE_TIMEOUT))
            };
            match self.ping(base, tries, limit) {
                Ok(challenge) => {
                    if let Ok(mut s) = self.state.lock() {
                        s.base = Some(base.clone());
                    }
                    if let Some(challenge) = challenge {
                        self.authenticate(Some(&challenge), 401)?;
                    }
                    return Ok(base.clone());
                }
                Err(reason) => errors.push(format!("{base}: {reason}")),
            }
        }
        Err(RegistryError::Unreachable {
            url: format!("{}/v2/", self.registry),
            reason: errors.join("; "),
        })
    }

    /// GET `/v2/`: `Ok(None)` when open, `Ok(Some(challenge))` when it wants auth.
    fn ping(
        &self,
        base: &str,
        retries: u32,
        limit: Option<Duration>,
    ) -> Result<Option<Challenge>, String> {
        let url = format!("{base}/v2/");
        let mut failures = Vec::new();
        for attempt in 0..=retries {
            let mut request = self.http.get(&url);
            if let Some(limit) = limit {
                request = request.timeout(limit);
            }
            match request.send() {
                Ok(r) if r.status() == StatusCode::UNAUTHORIZED => {
                    return Ok(challenge_of(&r).or(Some(Challenge::Basic)));
                }
                Ok(r) if r.status().is_server_error() || r.status().as_u16() == 429 => {
                    failures.push(format!("status {}", r.status()));
                }
                // A plain-HTTP request to a TLS port gets 400; that is no registry.
                Ok(r) if r.status() == StatusCode::BAD_REQUEST => {
                    return Err(format!("status {}", r.status()));
                }
                Ok(_) => return Ok(None),
                Err(e) => failures.push(error_chain(&e)),
            }
            if attempt < retries {
                std::thread::sleep(backoff(attempt));
            }
        }
        Err(summarise(&failures))
    }

    /// Answer a challenge: remember basic auth, or fetch a bearer token.
    fn authenticate(
        &self,
        challenge: Option<&Challenge>,
        status: u16,
    ) -> Result<(), RegistryError> {
        let state = match challenge {
            None | Some(Challenge::Basic) => {
                if self.credentials.credential.is_none() {
                    return Err(auth::refused(
                        &self.registry,
                        &self.repository,
                        &self.credentials,
                        status,
                    ));
                }
                AuthState::Basic
            }
            Some(Challenge::Bearer { realm, service, .. }) => {
                AuthState::Bearer(self.token(realm, service.as_deref())?)
            }
        };
        if let Ok(mut s) = self.state.lock() {
            s.auth = state;
        }
        Ok(())
    }

    fn token(&self, realm: &str, service: Option<&str>) -> Result<String, RegistryError> {
        let fail = |reason: String| RegistryError::Token {
            realm: realm.to_owned(),
            reason,
        };
        let mut url = reqwest::Url::parse(realm).map_err(|e| fail(e.to_string()))?;
        let realm_host = url.host_str().unwrap_or("").to_owned();
        let realm_authority = match url.port() {
            Some(p) => format!("{realm_host}:{p}"),
            None => realm_host.clone(),
        };
        let plain_ok = url.scheme() == "https"
            || is_loopback(&realm_authority)
            || (self.allow_http && realm_host == self.registry.split(':').next().unwrap_or(""));
        if !matches!(url.scheme(), "https" | "http") {
            return Err(fail(format!("unsupported scheme `{}`", url.scheme())));
        }
        {
            let mut query = url.query_pairs_mut();
            if let Some(service) = service {
                query.append_pair("service", service);
            }
            query.append_pair(
                "scope",
                &format!("repository:{}:{}", self.repository, self.actions),
            );
        }
        let mut request = self.http.get(url);
        if let Some(c) = &self.credentials.credential {
            // Never send a password over plain HTTP to a host the user did not trust.
            if !plain_ok {
                return Err(fail(
                    "the token realm is plain HTTP; refusing to send credentials there".into(),
                ));
            }
            request = request.basic_auth(&c.username, Some(c.password.expose()));
        }
        let response = request.send().map_err(|e| fail(error_chain(&e)))?;
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(auth::refused(
                &self.registry,
                &self.repository,
                &self.credentials,
                status.as_u16(),
            ));
        }
        if !status.is_success() {
            return Err(fail(format!("status {status}")));
        }
        let mut body = Vec::new();
        response
            .take(MAX_TOKEN_RESPONSE)
            .read_to_end(&mut body)
            .map_err(|e| fail(e.to_string()))?;
        let value: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| fail(format!("invalid JSON: {e}")))?;
        value
            .get("token")
            .or_else(|| value.get("access_token"))
            .and_then(serde_json::Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| fail("no `token` in the response".into()))
    }
}

fn challenge_of(response: &Response) -> Option<Challenge> {
    response
        .headers()
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(Challenge::parse)
}

fn retry_after(response: &Response) -> Option<Duration> {
    response
        .headers()
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(|s| Duration::from_secs(s).min(MAX_RETRY_AFTER))
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(250_u64.saturating_mul(1_u64 << attempt.min(10))).min(MAX_BACKOFF)
}

/// The registry's error message: the first `errors[].message`, else the body's start.
fn error_message(response: Response) -> String {
    let mut body = Vec::new();
    let _ = response.take(MAX_ERROR_BODY).read_to_end(&mut body);
    let parsed = serde_json::from_slice::<serde_json::Value>(&body).ok();
    let message = parsed
        .as_ref()
        .and_then(|v| v.get("errors")?.get(0)?.get("message")?.as_str())
        .map(str::to_owned);
    message.unwrap_or_else(|| {
        String::from_utf8_lossy(&body)
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect()
    })
}

/// An error with its causes (reqwest hides the TLS or socket reason in the chain).
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

fn summarise(failures: &[String]) -> String {
    match failures {
        [] => "no attempt made".into(),
        [one] => one.clone(),
        [.., last] => format!("{} attempts failed; last: {last}", failures.len()),
    }
}

/// The CA certificates to trust for `registry`: `--ca-file`s and `certs.d/HOST/*.crt`.
fn trusted_certificates(
    registry: &str,
    options: &RegistryOptions,
) -> Result<Vec<reqwest::Certificate>, RegistryError> {
    let mut files = options.ca_files.clone();
    for dir in &options.certs_dirs {
        let host_dir = dir.join(registry);
        let Ok(entries) = fs_err::read_dir(&host_dir) else {
            continue;
        };
        let mut crts: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "crt"))
            .collect();
        crts.sort();
        files.extend(crts);
    }
    let mut certificates = Vec::new();
    for file in files {
        let fail = |reason: String| RegistryError::CaFile {
            path: file.display().to_string(),
            reason,
        };
        let pem = fs_err::read(&file).map_err(|e| fail(e.to_string()))?;
        let parsed =
            reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| fail(error_chain(&e)))?;
        if parsed.is_empty() {
            return Err(fail("no PEM certificate in it".into()));
        }
        certificates.extend(parsed);
    }
    Ok(certificates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(0), Duration::from_millis(250));
        assert_eq!(backoff(2), Duration::from_secs(1));
        assert_eq!(backoff(30), MAX_BACKOFF);
    }
}
