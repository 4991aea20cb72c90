//! `somnia lsp`: a language server over stdio (the `lsp-server` crate, as rust-analyzer
//! uses). Documents are kept whole (full sync) and checked on open, change and save by the
//! same checker as `somnia check`.

mod features;
mod text;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// An open document.
struct Document {
    path: Option<PathBuf>,
    text: String,
}

/// Serves one client on stdin/stdout until it sends `exit`; the error says why it stopped
/// otherwise.
pub fn serve() -> Result<(), String> {
    let (connection, io_threads) = Connection::stdio();
    let capabilities = lsp::ServerCapabilities {
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Kind(
            lsp::TextDocumentSyncKind::FULL,
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec![".".into()]),
            ..Default::default()
        }),
        definition_provider: Some(lsp::OneOf::Left(true)),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        ..Default::default()
    };
    let caps = serde_json::to_value(capabilities).map_err(|e| e.to_string())?;
    let init = serde_json::json!({
        "capabilities": caps,
        "serverInfo": { "name": "somnia", "version": crate::build_info::VERSION },
    });
    let (id, _params) = connection.initialize_start().map_err(|e| e.to_string())?;
    connection
        .initialize_finish(id, init)
        .map_err(|e| e.to_string())?;
    let mut docs: HashMap<String, Document> = HashMap::new();
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) => {
                if connection
                    .handle_shutdown(&req)
                    .map_err(|e| e.to_string())?
                {
                    break;
                }
                let resp = answer(&docs, req);
                send(&connection, Message::Response(resp))?;
            }
            Message::Notification(n) => {
                if let Some(uri) = update(&mut docs, n) {
                    publish(&connection, &docs, &uri)?;
                }
            }
            Message::Response(_) => {}
        }
    }
    drop(connection);
    io_threads.join().map_err(|e| e.to_string())
}

fn send(c: &Connection, m: Message) -> Result<(), String> {
    c.sender.send(m).map_err(|e| e.to_string())
}

/// Applies a document notification; gives the document to check again.
fn update(docs: &mut HashMap<String, Document>, n: Notification) -> Option<lsp::Uri> {
    use lsp::notification::{
        DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
        Notification as _,
    };
    match n.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let p: lsp::DidOpenTextDocumentParams = serde_json::from_value(n.params).ok()?;
            let uri = p.text_document.uri;
            let doc = Document {
                path: path_of(&uri),
                text: p.text_document.text,
            };
            docs.insert(uri.as_str().to_string(), doc);
            Some(uri)
        }
        DidChangeTextDocument::METHOD => {
            let p: lsp::DidChangeTextDocumentParams = serde_json::from_value(n.params).ok()?;
            let uri = p.text_document.uri;
            let change = p.content_changes.into_iter().last()?;
            docs.get_mut(uri.as_str())?.text = change.text;
            Some(uri)
        }
        DidSaveTextDocument::METHOD => {
            let p: lsp::DidSaveTextDocumentParams = serde_json::from_value(n.params).ok()?;
            Some(p.text_document.uri)
        }
        DidCloseTextDocument::METHOD => {
            let p: lsp::DidCloseTextDocumentParams = serde_json::from_value(n.params).ok()?;
            docs.remove(p.text_document.uri.as_str());
            None
        }
        _ => None,
    }
}

fn publish(c: &Connection, docs: &HashMap<String, Document>, uri: &lsp::Uri) -> Result<(), String> {
    let Some(doc) = docs.get(uri.as_str()) else {
        return Ok(());
    };
    let params = lsp::PublishDiagnosticsParams {
        uri: uri.clone(),
        diagnostics: features::diagnostics(doc.path.as_deref(), &doc.text),
        version: None,
    };
    let n = Notification::new("textDocument/publishDiagnostics".into(), params);
    send(c, Message::Notification(n))
}

fn answer(docs: &HashMap<String, Document>, req: Request) -> Response {
    use lsp::request::{Completion, Formatting, GotoDefinition, HoverRequest, Request as _};
    let id = req.id.clone();
    let result = match req.method.as_str() {
        HoverRequest::METHOD => at_position(docs, req.params)
            .and_then(|(doc, off)| features::hover(&doc.text, off))
            .map(|h| serde_json::to_value(h).unwrap_or_default()),
        Completion::METHOD => at_position(docs, req.params).map(|(doc, off)| {
            serde_json::to_value(features::completion(&doc.text, off)).unwrap_or_default()
        }),
        GotoDefinition::METHOD => at_position(docs, req.params)
            .and_then(|(doc, off)| features::definition(doc.path.as_deref(), &doc.text, off))
            .map(|l| serde_json::to_value(l).unwrap_or_default()),
        Formatting::METHOD => {
            let p: Option<lsp::DocumentFormattingParams> = serde_json::from_value(req.params).ok();
            p.and_then(|p| docs.get(p.text_document.uri.as_str()))
                .map(|doc| {
                    serde_json::to_value(features::formatting(&doc.text)).unwrap_or_default()
                })
        }
        _ => return method_not_found(id, &req.method),
    };
    Response::new_ok(id, result.unwrap_or(serde_json::Value::Null))
}

fn method_not_found(id: RequestId, method: &str) -> Response {
    Response::new_err(
        id,
        lsp_server::ErrorCode::MethodNotFound as i32,
        format!("somnia lsp does not answer {method}"),
    )
}

/// The document and byte offset a position request points at.
fn at_position(
    docs: &HashMap<String, Document>,
    params: serde_json::Value,
) -> Option<(&Document, usize)> {
    let p: lsp::TextDocumentPositionParams = serde_json::from_value(params).ok()?;
    let doc = docs.get(p.text_document.uri.as_str())?;
    let off = text::offset(&doc.text, p.position);
    Some((doc, off))
}

/// The local path of a `file:` URI.
fn path_of(uri: &lsp::Uri) -> Option<PathBuf> {
    let s = uri.as_str().strip_prefix("file://")?;
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    Some(PathBuf::from(String::from_utf8(out).ok()?))
}

/// The `file:` URI of a local path.
fn uri_of(path: &Path) -> Option<lsp::Uri> {
    let abs = std::path::absolute(path).ok()?;
    let mut s = String::from("file://");
    for b in abs.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                s.push(b as char)
            }
            _ => s.push_str(&format!("%{b:02X}")),
        }
    }
    s.parse().ok()
}
