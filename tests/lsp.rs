//! `somnia lsp` spoken to over stdio as an editor would: initialize, open a file with an
//! error, hover, complete, go to a definition in an imported file, fix the error, format,
//! shut down.

mod common;

use common::cli::scratch;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_somnia"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            loop {
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                stdout.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            next_id: 1,
        }
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its result (notifications meanwhile are skipped).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let m = self.recv();
            if m["id"] == json!(id) {
                assert!(m.get("error").is_none(), "{method}: {m}");
                return m["result"].clone();
            }
        }
    }

    fn recv(&self) -> Value {
        self.messages
            .recv_timeout(Duration::from_secs(60))
            .expect("the server answers within a minute")
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&self, uri: &str) -> Vec<Value> {
        loop {
            let m = self.recv();
            if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri {
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }
}

const LIB: &str = "rule sgd = backprop { lr 0.1 }\n";

const BROKEN: &str = r#"import "lib.sleep" as lib

dataset images = bars(side = 6, samples = 10)
tasks t = split_classes(images, [0, 1], [2, 3])

network mlp {
  input  x 36
  layer  h 8
  output y 12
  connect x -> h -> y
}

rule local = backprop { lr 0.05;  }

phase learn(k: tasks) = wake { data k; plasticity lib.sgd; length 1 epochs }

protocol p {
  network mlp
  schedule { for k in t { learn(k) }; measure accuracy(t) }
  expect final accuracy(tt) > 50 %
}
"#;

fn position(text: &str, needle: &str, nth_char: usize) -> Value {
    let at = text.find(needle).unwrap() + nth_char;
    let line = text[..at].matches('\n').count();
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({ "line": line, "character": col })
}

#[test]
fn an_editor_session_over_stdio() {
    let dir = scratch("lsp");
    std::fs::write(dir.join("lib.sleep"), LIB).unwrap();
    let path = dir.join("p.sleep");
    std::fs::write(&path, BROKEN).unwrap();
    let uri = format!("file://{}", path.display());

    let mut c = Client::start();
    let init = c.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": {} }),
    );
    let caps = &init["capabilities"];
    assert_eq!(caps["hoverProvider"], true, "{init}");
    assert_eq!(caps["definitionProvider"], true);
    assert_eq!(caps["documentFormattingProvider"], true);
    c.notify("initialized", json!({}));

    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "somnia", "version": 1, "text": BROKEN } }),
    );
    let diags = c.diagnostics(&uri);
    let codes: Vec<&str> = diags.iter().filter_map(|d| d["code"].as_str()).collect();
    assert!(codes.contains(&"E101"), "{diags:?}");
    let e101 = diags.iter().find(|d| d["code"] == "E101").unwrap();
    assert_eq!(e101["range"]["start"], position(BROKEN, "tt)", 0), "{e101}");
    assert_eq!(e101["severity"], 1);
    assert!(
        e101["message"].as_str().unwrap().contains("help:"),
        "{e101}"
    );

    let hover = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": position(BROKEN, "backprop", 3) }),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("`backprop`") && text.contains("lr"),
        "{hover}"
    );

    let completion = c.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": position(BROKEN, "0.05;  }", 7) }),
    );
    let labels: Vec<&str> = completion
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    for want in [
        "lr", "momentum", "learn", "mlp", "lib", "backprop", "schedule",
    ] {
        assert!(labels.contains(&want), "{want} not in {labels:?}");
    }
    let momentum = completion
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "momentum")
        .unwrap();
    assert!(
        momentum["sortText"].as_str().unwrap() < "1",
        "settings come first"
    );

    let def = c.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": uri }, "position": position(BROKEN, "lib.sgd", 5) }),
    );
    assert!(
        def["uri"].as_str().unwrap().ends_with("/lib.sleep"),
        "{def}"
    );
    assert_eq!(def["range"]["start"], json!({ "line": 0, "character": 5 }));
    let def = c.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": uri }, "position": position(BROKEN, "learn(k) }", 1) }),
    );
    assert_eq!(
        def["range"]["start"],
        position(BROKEN, "learn(k: tasks)", 0),
        "{def}"
    );

    let fixed = BROKEN.replace("(tt)", "(t)");
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": fixed }] }),
    );
    let diags = c.diagnostics(&uri);
    assert!(
        diags.iter().all(|d| d["severity"] != 1),
        "errors left after the fix: {diags:?}"
    );

    let edits = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    let edits = edits.as_array().unwrap();
    assert_eq!(edits.len(), 1, "{edits:?}");
    let new_text = edits[0]["newText"].as_str().unwrap();
    assert!(
        new_text.contains("rule local = backprop { lr 0.05 }"),
        "{new_text}"
    );
    assert_eq!(somnia::format::format_text(new_text).unwrap(), new_text);

    assert_eq!(c.request("shutdown", Value::Null), Value::Null);
    c.notify("exit", Value::Null);
    let status = c.child.wait().unwrap();
    assert!(status.success(), "{status}");
}
