//! One SMTP conversation (RFC 5321 subset), with the stage faults of the module docs.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use super::{SmtpMessage, SmtpSecurity, SmtpState, lock};
use crate::control::RecordedRequest;

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Longest line or message the sink takes (far above any test message).
const MAX_LINE: usize = 64 * 1024;
const MAX_MESSAGE: usize = 32 * 1024 * 1024;

pub(super) async fn accept_loop(listener: TcpListener, state: Arc<SmtpState>) {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                sessions.spawn(run(stream, state.clone()));
            }
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
}

async fn run(stream: TcpStream, state: Arc<SmtpState>) {
    let io: Box<dyn Io> = match (&state.tls, state.config.security) {
        (Some(acceptor), SmtpSecurity::ImplicitTls) => match acceptor.accept(stream).await {
            Ok(tls) => Box::new(tls),
            Err(_) => return,
        },
        _ => Box::new(stream),
    };
    let tls = state.config.security == SmtpSecurity::ImplicitTls;
    let mut session = Session { state, io: BufReader::new(io), tls, auth: None, from: None, to: Vec::new() };
    if let Err(e) = session.converse().await {
        tracing::debug!(error = %e, "SMTP simulator session ended");
    }
}

/// What a stage fault says to do instead of the normal answer.
enum Injected {
    Reply(String),
    Drop,
    Stall,
}

struct Session {
    state: Arc<SmtpState>,
    io: BufReader<Box<dyn Io>>,
    tls: bool,
    auth: Option<String>,
    from: Option<String>,
    to: Vec<String>,
}

type Step = std::io::Result<bool>;

impl Session {
    async fn converse(&mut self) -> std::io::Result<()> {
        let control = &self.state.control;
        if let Some(f) = control.faults.take("delay_ms", "/smtp/connect", None) {
            tokio::time::sleep(Duration::from_millis(f.param_u64("ms").unwrap_or(5_000))).await;
        }
        let down = control.faults.in_downtime("/smtp/connect", control.clock.now())
            || control.faults.take("down", "/smtp/connect", None).is_some();
        if down {
            return self.reply("421 4.3.2 Tjenesten er midlertidigt utilgængelig").await;
        }
        if !self.answer("connect", None, "220 localhost ESMTP Valghalla SMTP-simulator").await? {
            return Ok(());
        }
        loop {
            let Some(line) = self.read_line().await? else { return Ok(()) };
            if !self.command(&line).await? {
                return Ok(());
            }
        }
    }

    /// Handles one command; `false` ends the session.
    async fn command(&mut self, line: &str) -> Step {
        let (verb, arg) = line.split_once(' ').unwrap_or((line, ""));
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" => self.ehlo().await,
            "HELO" => self.answer("ehlo", None, "250 localhost").await,
            "STARTTLS" => self.starttls().await,
            "AUTH" => self.authenticate(arg).await,
            "MAIL" => self.mail(arg).await,
            "RCPT" => self.rcpt(arg).await,
            "DATA" => self.data().await,
            "RSET" => {
                self.from = None;
                self.to.clear();
                self.ok("250 2.0.0 OK").await
            }
            "NOOP" => self.ok("250 2.0.0 OK").await,
            "QUIT" => {
                self.reply("221 2.0.0 Farvel").await?;
                Ok(false)
            }
            _ => self.ok("502 5.5.2 Kommandoen kendes ikke").await,
        }
    }

    async fn ehlo(&mut self) -> Step {
        let mut lines = vec!["localhost", "8BITMIME", "SMTPUTF8"];
        if self.state.config.security == SmtpSecurity::StartTls && !self.tls {
            lines.push("STARTTLS");
        }
        if self.state.config.credentials.is_some() {
            lines.push("AUTH PLAIN LOGIN");
        }
        let last = lines.len() - 1;
        let text: Vec<String> =
            lines.iter().enumerate().map(|(i, l)| format!("250{}{l}", if i == last { ' ' } else { '-' })).collect();
        self.answer("ehlo", None, &text.join("\r\n")).await
    }

    async fn starttls(&mut self) -> Step {
        let Some(acceptor) = self.state.tls.clone().filter(|_| !self.tls) else {
            return self.ok("502 5.5.1 STARTTLS tilbydes ikke").await;
        };
        self.reply("220 2.0.0 Klar til TLS").await?;
        let plain = std::mem::replace(&mut self.io, BufReader::new(Box::new(tokio::io::duplex(1).0)));
        let tls = acceptor.accept(plain.into_inner()).await?;
        self.io = BufReader::new(Box::new(tls));
        self.tls = true;
        // RFC 3207: the client starts over with EHLO and nothing from before counts.
        self.auth = None;
        self.from = None;
        self.to.clear();
        Ok(true)
    }

    async fn authenticate(&mut self, arg: &str) -> Step {
        let Some((user, password)) = self.state.config.credentials.clone() else {
            return self.ok("502 5.5.1 AUTH tilbydes ikke").await;
        };
        let (mechanism, initial) = arg.split_once(' ').unwrap_or((arg, ""));
        let given = match mechanism.to_ascii_uppercase().as_str() {
            "PLAIN" => {
                let encoded = if initial.is_empty() { self.challenge("").await? } else { initial.to_owned() };
                decode(&encoded).and_then(|s| {
                    let mut parts = s.split('\0').skip(1);
                    Some((parts.next()?.to_owned(), parts.next()?.to_owned()))
                })
            }
            "LOGIN" => {
                let u = self.challenge("VXNlcm5hbWU6").await?;
                let p = self.challenge("UGFzc3dvcmQ6").await?;
                decode(&u).zip(decode(&p))
            }
            _ => return self.ok("504 5.5.4 Ukendt AUTH-mekanisme").await,
        };
        if given.as_ref() == Some(&(user.clone(), password)) {
            self.auth = Some(user);
            self.ok("235 2.7.0 Godkendt").await
        } else {
            self.ok("535 5.7.8 Forkert brugernavn eller adgangskode").await
        }
    }

    async fn challenge(&mut self, prompt: &str) -> std::io::Result<String> {
        self.reply(&format!("334 {prompt}")).await?;
        Ok(self.read_line().await?.unwrap_or_default())
    }

    async fn mail(&mut self, arg: &str) -> Step {
        if self.state.config.security == SmtpSecurity::StartTls && !self.tls {
            return self.ok("530 5.7.0 Kør STARTTLS først").await;
        }
        if self.state.config.credentials.is_some() && self.auth.is_none() {
            return self.ok("530 5.7.0 Log ind først").await;
        }
        let Some(address) = path_argument(arg, "FROM:") else {
            return self.ok("501 5.5.4 MAIL FROM:<adresse> forventet").await;
        };
        if !self.answer("mail", Some(&address), "250 2.1.0 OK").await? {
            return Ok(false);
        }
        self.from = Some(address);
        self.to.clear();
        Ok(true)
    }

    async fn rcpt(&mut self, arg: &str) -> Step {
        if self.from.is_none() {
            return self.ok("503 5.5.1 MAIL først").await;
        }
        let Some(address) = path_argument(arg, "TO:") else {
            return self.ok("501 5.5.4 RCPT TO:<adresse> forventet").await;
        };
        let fault = self.fault("rcpt", Some(&address));
        let accepted = fault.is_none();
        if !self.perform(fault, "250 2.1.5 OK").await? {
            return Ok(false);
        }
        if accepted {
            self.to.push(address);
        }
        Ok(true)
    }

    async fn data(&mut self) -> Step {
        if self.to.is_empty() {
            return self.ok("503 5.5.1 RCPT først").await;
        }
        if !self.answer("data", None, "354 Send beskeden; slut med <CRLF>.<CRLF>").await? {
            return Ok(false);
        }
        let text = self.read_data().await?;
        let key = self.to.first().cloned();
        let fault = self.fault("message", key.as_deref());
        // A drop here is the unknown outcome: the message was taken, the answer is lost.
        if matches!(fault, None | Some(Injected::Drop)) {
            self.store(text);
        }
        self.perform(fault, "250 2.0.0 OK: modtaget").await
    }

    fn store(&mut self, data: String) {
        let message = SmtpMessage {
            at: self.state.control.clock.now(),
            mail_from: self.from.take().unwrap_or_default(),
            rcpt_to: std::mem::take(&mut self.to),
            message_id: header(&data, "message-id").map(|v| v.trim_matches(['<', '>', ' ']).to_owned()),
            data,
            tls: self.tls,
            authenticated_as: self.auth.clone(),
        };
        let headers = BTreeMap::from([
            ("mail-from".to_owned(), message.mail_from.clone()),
            ("rcpt-to".to_owned(), message.rcpt_to.join(",")),
        ]);
        self.state.control.recorder.push(RecordedRequest {
            seq: 0,
            at: message.at,
            method: "DATA".into(),
            path: "/smtp/message".into(),
            query: None,
            headers,
            body: message.data.clone(),
            status: Some(250),
            detail: Some(serde_json::json!({ "message_id": message.message_id, "tls": message.tls })),
        });
        lock(&self.state.messages).push(message);
    }

    fn fault(&self, stage: &str, key: Option<&str>) -> Option<Injected> {
        let faults = &self.state.control.faults;
        let path = format!("/smtp/{stage}");
        if faults.take("stall", &path, key).is_some() {
            return Some(Injected::Stall);
        }
        if faults.take("drop", &path, key).is_some() {
            return Some(Injected::Drop);
        }
        faults.take("reply", &path, key).map(|f| {
            let code = f.param_u64("code").unwrap_or(451);
            Injected::Reply(format!("{code} {}", f.param_str("text").unwrap_or("Simuleret fejl")))
        })
    }

    /// Answers `normal` unless a fault for `stage` says otherwise; `false` ends the session.
    async fn answer(&mut self, stage: &str, key: Option<&str>, normal: &str) -> Step {
        let fault = self.fault(stage, key);
        self.perform(fault, normal).await
    }

    async fn perform(&mut self, fault: Option<Injected>, normal: &str) -> Step {
        match fault {
            None => self.ok(normal).await,
            Some(Injected::Drop) => Ok(false),
            // Never answer; the client's timeout ends it.
            Some(Injected::Stall) => {
                std::future::pending::<()>().await;
                Ok(false)
            }
            // 421 means the server closes the connection (RFC 5321 §3.8).
            Some(Injected::Reply(text)) => {
                self.reply(&text).await?;
                Ok(!text.starts_with("421"))
            }
        }
    }

    async fn ok(&mut self, text: &str) -> Step {
        self.reply(text).await?;
        Ok(true)
    }

    async fn reply(&mut self, text: &str) -> std::io::Result<()> {
        let stream = self.io.get_mut();
        stream.write_all(format!("{text}\r\n").as_bytes()).await?;
        stream.flush().await
    }

    async fn read_line(&mut self) -> std::io::Result<Option<String>> {
        let mut line = Vec::new();
        let n = (&mut self.io).take(MAX_LINE as u64).read_until(b'\n', &mut line).await?;
        if n == 0 {
            return Ok(None);
        }
        Ok(Some(String::from_utf8_lossy(&line).trim_end_matches(['\r', '\n']).to_owned()))
    }

    /// The message up to the lone dot, dot-unstuffed, lines joined with CRLF.
    async fn read_data(&mut self) -> std::io::Result<String> {
        let mut text = String::new();
        loop {
            let Some(line) = self.read_line().await? else {
                return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed in DATA"));
            };
            if line == "." {
                return Ok(text);
            }
            if text.len() > MAX_MESSAGE {
                return Err(std::io::Error::other("message too large"));
            }
            text.push_str(line.strip_prefix('.').unwrap_or(&line));
            text.push_str("\r\n");
        }
    }
}

/// `FROM:<a@b>` (with optional parameters after) → `a@b`.
fn path_argument(arg: &str, prefix: &str) -> Option<String> {
    let rest = arg.get(..prefix.len()).filter(|p| p.eq_ignore_ascii_case(prefix)).map(|_| &arg[prefix.len()..])?;
    let rest = rest.trim_start();
    let inner = rest.strip_prefix('<')?.split_once('>')?.0;
    Some(inner.to_owned())
}

fn decode(text: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(text.trim()).ok()?;
    String::from_utf8(bytes).ok()
}

/// The first header of that name in a MIME text (unfolded; case-insensitive name).
fn header(data: &str, name: &str) -> Option<String> {
    let head = data.split("\r\n\r\n").next()?;
    let mut value: Option<String> = None;
    for line in head.split("\r\n") {
        if let Some(v) = value.as_mut() {
            if line.starts_with([' ', '\t']) {
                v.push_str(line.trim());
                continue;
            }
            break;
        }
        if let Some((n, v)) = line.split_once(':')
            && n.eq_ignore_ascii_case(name)
        {
            value = Some(v.trim().to_owned());
        }
    }
    value
}
