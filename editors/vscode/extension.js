// The somnia extension: highlighting comes from syntaxes/somnia.tmLanguage.json (declared in
// package.json); this file starts the language server, `somnia lsp`, over stdio and talks
// to it with vscode-languageclient. Plain JavaScript: no build step.

"use strict";

const path = require("path");
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

/** @type {LanguageClient | undefined} */
let client;

/** The server's command: `somnia.server.path`, resolved against the workspace if relative. */
function serverCommand() {
  const config = vscode.workspace.getConfiguration("somnia");
  let command = (config.get("server.path") || "somnia").trim();
  if (command.startsWith("~/")) {
    command = path.join(require("os").homedir(), command.slice(2));
  }
  // A bare name (`somnia`) is looked up on PATH; a relative path (`target/release/somnia`)
  // is taken from the first workspace folder.
  const folders = vscode.workspace.workspaceFolders;
  if (!path.isAbsolute(command) && /[\\/]/.test(command) && folders && folders.length > 0) {
    command = path.join(folders[0].uri.fsPath, command);
  }
  const args = config.get("server.args") || ["lsp"];
  return { command, args };
}

function createClient() {
  const { command, args } = serverCommand();
  // No `transport`: with one, vscode-languageclient appends `--stdio` to the arguments. A
  // plain executable is spoken to over its stdin and stdout, which is what `somnia lsp` does.
  const executable = { command, args };
  /** @type {import("vscode-languageclient/node").ServerOptions} */
  const serverOptions = { run: executable, debug: executable };
  /** @type {import("vscode-languageclient/node").LanguageClientOptions} */
  const clientOptions = {
    documentSelector: [{ language: "somnia" }],
    synchronize: {
      // Imported files (`import "lib/common.sleep"`) change what a file means.
      fileEvents: vscode.workspace.createFileSystemWatcher("**/*.sleep"),
    },
  };
  return new LanguageClient("somnia", "somnia", serverOptions, clientOptions);
}

async function startClient() {
  client = createClient();
  try {
    await client.start();
  } catch (err) {
    const { command } = serverCommand();
    const message = err && err.message ? err.message : String(err);
    const choice = await vscode.window.showErrorMessage(
      `somnia: could not start the language server \`${command} lsp\` (${message}). ` +
        "Highlighting still works; set `somnia.server.path` to the somnia binary.",
      "Open Settings",
    );
    if (choice === "Open Settings") {
      vscode.commands.executeCommand("workbench.action.openSettings", "somnia.server");
    }
    client = undefined;
  }
}

async function stopClient() {
  if (client) {
    const c = client;
    client = undefined;
    try {
      await c.stop();
    } catch {
      // A server that never started, or already exited, has nothing to stop.
    }
  }
}

async function restartClient() {
  await stopClient();
  await startClient();
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("somnia.restartServer", restartClient),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("somnia.server")) {
        restartClient();
      }
    }),
    { dispose: () => stopClient() },
  );
  await startClient();
}

function deactivate() {
  return stopClient();
}

module.exports = { activate, deactivate };
