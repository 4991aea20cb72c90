// Tokenizes every shipped .sleep file with somnia.tmLanguage.json, as VS Code does
// (vscode-textmate on the Oniguruma regex engine), and checks the scopes against a small
// lexer written from grammar/somnia.pest:
//
//   - every comment is a comment, every string a string, with no other scope inside;
//   - every number is a number and every unit a unit (`100 ms`, `20 %`);
//   - every reserved word is a keyword (or a boolean, or a parameter's type), and no other
//     word is one; `x` only in `window a x b`, `max` only in `until ... max n`,
//     `environment` only before `name =`;
//   - a built-in called with `(` is support.function.
//
// The same for the ```sleep blocks of docs/*.md; then a few hand-written edge cases.
// Usage (in editors/textmate/):
//
//   npm ci && node check.mjs                 check; exits 1 when a check fails
//   node check.mjs --dump FILE               print each token with its scopes
//   node check.mjs --html OUT.html FILE...   a coloured page of those files (for a look)

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const grammarPath = path.join(here, "somnia.tmLanguage.json");
const grammarJson = JSON.parse(fs.readFileSync(grammarPath, "utf8"));

// ── The grammar, loaded as VS Code loads it ────────────────────────────────────────────

const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
await oniguruma.loadWASM(wasm);
const registry = new vsctm.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
    createOnigString: (s) => new oniguruma.OnigString(s),
  }),
  loadGrammar: async (scopeName) =>
    scopeName === "source.somnia"
      ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath)
      : null,
});
const grammar = await registry.loadGrammar("source.somnia");

/** Tokens of a whole text: [{ start, end, text, scopes }] with offsets into the text. */
function tokenize(text) {
  const out = [];
  let stack = vsctm.INITIAL;
  let offset = 0;
  for (const line of text.split("\n")) {
    const r = grammar.tokenizeLine(line, stack);
    for (const t of r.tokens) {
      const end = Math.min(t.endIndex, line.length);
      if (end > t.startIndex) {
        out.push({ start: offset + t.startIndex, end: offset + end, text: line.slice(t.startIndex, end), scopes: t.scopes });
      }
    }
    stack = r.ruleStack;
    offset += line.length + 1;
  }
  return out;
}

/** The scopes of each character of the text (null for the line breaks). */
function scopesByChar(text, tokens) {
  const s = new Array(text.length).fill(null);
  for (const t of tokens) for (let i = t.start; i < t.end; i++) s[i] = t.scopes;
  return s;
}

// ── The words of the language ──────────────────────────────────────────────────────────

/** The words of a rule's `\b(a|b|c)\b` alternation, through its nested patterns. */
function ruleWords(rule) {
  const words = [];
  for (const r of [rule, ...(rule.patterns ?? [])]) {
    const m = r.match && /^\\b\((?:\?:)?([A-Za-z0-9_|]+)\)/.exec(r.match);
    if (m) words.push(...m[1].split("|"));
  }
  return words;
}
const repo = grammarJson.repository;
const keywordWords = new Set(
  Object.keys(repo)
    .filter((k) => k.startsWith("keywords-") || k === "booleans")
    .flatMap((k) => ruleWords(repo[k])),
);
// The reserved words, from the pest grammar's `keyword` rule (not from the TextMate grammar,
// so that a word missing from both is still caught).
const pest = fs.readFileSync(path.join(root, "grammar/somnia.pest"), "utf8");
const keywordRule = /^keyword = @\{([\s\S]*?)\}/m.exec(pest);
if (!keywordRule) throw new Error("grammar/somnia.pest: no `keyword = @{ ... }` rule");
const RESERVED = new Set([...keywordRule[1].matchAll(/"([a-z_]+)"/g)].map((m) => m[1]));
// Keywords where they stand, but not reserved: the grammar's own exceptions.
const NOT_RESERVED = new Set(["environment", "max", "x"]);
const unknown = [...keywordWords].filter((w) => !RESERVED.has(w) && !NOT_RESERVED.has(w));
const missing = [...RESERVED].filter((w) => !keywordWords.has(w));
if (unknown.length || missing.length) {
  console.log(`FAIL keywords: not reserved ${JSON.stringify(unknown)}, missing ${JSON.stringify(missing)}`);
  process.exitCode = 1;
}
const BUILTINS = new Set([...ruleWords(repo.builtins), ...ruleWords(repo["phase-kinds"])]);

// ── A lexer written from grammar/somnia.pest, independent of the TextMate grammar ──────

function lex(text) {
  const out = [];
  let i = 0;
  const at = (re) => {
    re.lastIndex = i;
    const m = re.exec(text);
    return m ? m[0] : null;
  };
  while (i < text.length) {
    if (text.startsWith("//", i)) {
      let j = text.indexOf("\n", i);
      if (j < 0) j = text.length;
      out.push({ kind: "comment", start: i, end: j });
      i = j;
    } else if (text.startsWith("/*", i)) {
      let j = text.indexOf("*/", i + 2);
      j = j < 0 ? text.length : j + 2;
      out.push({ kind: "comment", start: i, end: j });
      i = j;
    } else if (text[i] === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== "\n") j += text[j] === "\\" ? 2 : 1;
      if (text[j] === '"') j++;
      out.push({ kind: "string", start: i, end: j });
      i = j;
    } else if (/[0-9]/.test(text[i])) {
      const num = at(/[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y);
      const tok = { kind: "number", start: i, end: i + num.length };
      i += num.length;
      const u = at(/([ \t]*)(%|(?:[A-Za-z_]|µ)[A-Za-z0-9_]*)/y);
      if (u) {
        const [, space, unit] = /([ \t]*)(.*)/.exec(u);
        if (unit === "%" || !(RESERVED.has(unit) || unit === "x" || unit === "max")) {
          tok.unit = { start: i + space.length, end: i + u.length };
          i += u.length;
        }
      }
      out.push(tok);
    } else if (/[A-Za-z_]/.test(text[i])) {
      const w = at(/[A-Za-z_][A-Za-z0-9_]*/y);
      out.push({ kind: "word", start: i, end: i + w.length, text: w });
      i += w.length;
    } else {
      i++;
    }
  }
  return out;
}

// ── The checks ─────────────────────────────────────────────────────────────────────────

const has = (scopes, prefix) => scopes.some((s) => s.startsWith(prefix));
const KEYWORDISH = ["keyword.", "storage.type.", "constant.language."];
const isKeyword = (scopes) => KEYWORDISH.some((p) => has(scopes, p)) && !has(scopes, "keyword.other.unit");

function checkText(name, text) {
  const failures = [];
  const tokens = tokenize(text);
  const byChar = scopesByChar(text, tokens);
  const where = (i) => {
    const before = text.slice(0, i);
    const line = before.split("\n").length;
    return `${name}:${line}:${i - before.lastIndexOf("\n")}`;
  };
  const fail = (i, what) => {
    const line = text.slice(text.lastIndexOf("\n", i - 1) + 1, text.indexOf("\n", i) < 0 ? text.length : text.indexOf("\n", i));
    failures.push(`${where(i)}: ${what}\n    ${line.trim()}\n    scopes: ${(byChar[i] ?? []).join(" ")}`);
  };
  const every = (start, end, pred, what) => {
    for (let i = start; i < end; i++) {
      if (text[i] === "\n") continue;
      if (!pred(byChar[i] ?? [])) return fail(i, what);
    }
  };
  const lexemes = lex(text);
  const counts = { comment: 0, string: 0, number: 0, unit: 0, keyword: 0, builtin: 0 };
  lexemes.forEach((t, n) => {
    counts[t.kind === "word" ? "word" : t.kind]++;
    if (t.kind === "comment") {
      every(t.start, t.end, (s) => s.length >= 2 && s[1].startsWith("comment.") && s.slice(2).every((x) => x.startsWith("punctuation.definition.comment.")), "a comment that is not only a comment");
    } else if (t.kind === "string") {
      every(t.start, t.end, (s) => s.length >= 2 && s[1].startsWith("string.quoted.double.") && s.slice(2).every((x) => /^(punctuation\.definition\.string|constant\.character\.escape|invalid\.illegal\.escape)\./.test(x)), "a string that is not only a string");
      every(t.start, t.end, (s) => !has(s, "invalid."), "an invalid escape in a string");
    } else if (t.kind === "number") {
      every(t.start, t.end, (s) => has(s, "constant.numeric."), "a number not scoped as a number");
      if (t.unit) {
        counts.unit++;
        every(t.unit.start, t.unit.end, (s) => has(s, "keyword.other.unit."), "a unit not scoped as a unit");
      }
    } else {
      const s = byChar[t.start] ?? [];
      const w = t.text;
      every(t.start, t.end, (c) => c === s, `the word \`${w}\` split across tokens`);
      const lineStart = text.lastIndexOf("\n", t.start - 1) + 1;
      const lineBefore = text.slice(lineStart, t.start);
      const after = text.slice(t.end, text.indexOf("\n", t.end) < 0 ? text.length : text.indexOf("\n", t.end));
      let expectKeyword;
      if (w === "x") {
        expectKeyword = /\bwindow\b[^;}]*$/.test(lineBefore) && !/[(\[,]\s*$/.test(lineBefore);
      } else if (w === "max") {
        expectKeyword = !/^[ \t]*\(/.test(after);
      } else if (w === "environment") {
        expectKeyword = /^[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*=(?!=)/.test(after);
        if (!expectKeyword && !has(s, "variable.other.property") && /^[ \t]+[A-Za-z_]/.test(after)) {
          fail(t.start, "the setting `environment` is not a setting name");
        }
      } else if (RESERVED.has(w)) {
        // A parameter's type may be a reserved word: `phase learn(t: tasks)`.
        expectKeyword = !/:[ \t]*$/.test(lineBefore);
        if (!expectKeyword && !has(s, "support.type.")) fail(t.start, `the type \`${w}\` is not a type`);
      } else {
        expectKeyword = false;
      }
      if (expectKeyword && !isKeyword(s)) fail(t.start, `\`${w}\` is not scoped as a keyword`);
      if (!expectKeyword && isKeyword(s)) fail(t.start, `\`${w}\` is scoped as a keyword`);
      if (expectKeyword) counts.keyword++;
      if (BUILTINS.has(w) && /^[ \t]*\(/.test(after) && !/\b(phase|rule|dataset|tasks|let)[ \t]+$/.test(lineBefore)) {
        counts.builtin++;
        if (!has(s, "support.function.")) fail(t.start, `the built-in \`${w}\` is not support.function`);
      }
    }
  });
  // Whatever the lexer does not see (operators, punctuation) must not be a comment or string.
  const covered = new Array(text.length).fill(false);
  for (const t of lexemes) if (t.kind === "comment" || t.kind === "string") for (let i = t.start; i < t.end; i++) covered[i] = true;
  for (let i = 0; i < text.length; i++) {
    if (!covered[i] && byChar[i] && (has(byChar[i], "comment.") || has(byChar[i], "string."))) {
      fail(i, "a comment or string scope outside any comment or string");
      break;
    }
  }
  return { failures, counts, tokens };
}

/** `[text, scope prefix]` pairs: the first token covering `text` (after `from`) has the scope. */
function expectScopes(name, src, cases) {
  const tokens = tokenize(src);
  const byChar = scopesByChar(src, tokens);
  const failures = [];
  let from = 0;
  for (const [needle, prefix] of cases) {
    const i = src.indexOf(needle, from);
    if (i < 0) {
      failures.push(`${name}: \`${needle}\` not found in the sample`);
      continue;
    }
    from = i + 1;
    for (let k = i; k < i + needle.length; k++) {
      const s = byChar[k] ?? [];
      const ok = prefix.startsWith("!") ? !has(s, prefix.slice(1)) : has(s, prefix);
      if (!ok) {
        failures.push(`${name}: \`${needle}\` should be ${prefix}, has ${s.join(" ")}`);
        break;
      }
    }
  }
  return failures;
}

const EDGE = `/* a block comment
   over two lines, with "quotes" and rule sgd = x */
let letx = 1e-3 µs       // \`letx\` is a name
let  t = 2.5E+4 steps + 20000steps
let s = "a \\"quoted\\" \\\\ path\\n" + "bad \\q"
let r = 1..5
environment world = foraging_grid { density 2.5 % }
phase p(t: tasks, n: epochs = 1 epoch) = wake { environment world; length n }
phase q = nrem {
  drive bernoulli(mean_image(seen), max_rate = 240 Hz) window 11 x 11
  record on
}
network n { input x 784  output y 10  connect x -> y as link { bias off } }
protocol a { schedule { until accuracy(t) > 97 % max 5 { p(t) } } expect max(1, 2) >= -65 mV }
`;

const EDGE_CASES = [
  ["/* a block comment", "comment.block"],
  ["over two lines", "comment.block"],
  ["rule sgd = x */", "comment.block"],
  ["letx", "entity.name"],
  ["1e-3", "constant.numeric"],
  ["µs", "keyword.other.unit"],
  ["// `letx`", "comment.line"],
  ["2.5E+4", "constant.numeric"],
  ["steps", "keyword.other.unit"],
  ["20000", "constant.numeric"],
  ["steps", "keyword.other.unit"],
  ['\\"', "constant.character.escape"],
  ["\\\\", "constant.character.escape"],
  ["\\n", "constant.character.escape"],
  ["\\q", "invalid.illegal.escape"],
  ["1", "constant.numeric"],
  ["..", "keyword.operator.range"],
  ["5", "constant.numeric"],
  ["environment", "storage.type"],
  ["world", "entity.name.type"],
  ["foraging_grid", "support.function.builtin"],
  ["density", "variable.other.property"],
  ["%", "keyword.other.unit"],
  ["phase", "storage.type"],
  ["p", "entity.name.function"],
  ["t", "variable.parameter"],
  ["tasks", "support.type"],
  ["epochs", "support.type"],
  ["epoch", "keyword.other.unit"],
  ["wake", "support.function.phase"],
  ["environment", "variable.other.property"],
  ["world", "!entity.name"],
  ["length", "variable.other.property"],
  ["drive", "variable.other.property"],
  ["bernoulli", "support.function.builtin"],
  ["seen", "variable.language"],
  ["max_rate", "variable.parameter"],
  ["Hz", "keyword.other.unit"],
  ["window", "keyword.other"],
  [" x ", "!keyword.other.unit"],
  ["x", "keyword.other"],
  ["record", "variable.other.property"],
  ["on", "constant.language.boolean"],
  ["network", "storage.type"],
  ["input", "keyword.other"],
  ["x", "entity.name.variable.population"],
  ["connect", "keyword.other"],
  ["->", "keyword.operator.arrow"],
  ["as", "keyword.other"],
  ["link", "entity.name.alias"],
  ["off", "constant.language.boolean"],
  ["until", "keyword.control"],
  ["accuracy", "support.function.builtin"],
  [">", "keyword.operator.comparison"],
  ["max", "keyword.control"],
  ["p", "entity.name.function.call"],
  ["expect", "keyword.control"],
  ["max", "support.function.builtin"],
  [">=", "keyword.operator.comparison"],
  ["-", "keyword.operator.arithmetic"],
  ["mV", "keyword.other.unit"],
];

// An unterminated string stops at the end of its line.
const UNTERMINATED = `let a = "open\nlet b = 1 ms\n`;
const UNTERMINATED_CASES = [["open", "string.quoted"], ["let", "storage.type"], ["b", "entity.name"], ["ms", "keyword.other.unit"]];

// ── Output for a look ──────────────────────────────────────────────────────────────────

// Roughly VS Code's Dark+ theme: the longest matching prefix wins.
const THEME = [
  ["comment", "#6A9955"], ["string", "#CE9178"], ["constant.character.escape", "#D7BA7D"],
  ["invalid", "#F44747"], ["constant.numeric", "#B5CEA8"], ["keyword.other.unit", "#B5CEA8"],
  ["constant.language", "#569CD6"], ["storage.type", "#569CD6"], ["keyword", "#C586C0"],
  ["keyword.other", "#569CD6"], ["keyword.operator", "#D4D4D4"], ["keyword.operator.logical", "#569CD6"],
  ["entity.name.function", "#DCDCAA"], ["entity.name.type", "#4EC9B0"], ["entity.other.inherited-class", "#4EC9B0"],
  ["entity.name.variable", "#9CDCFE"], ["entity.name.alias", "#4EC9B0"], ["support.function", "#DCDCAA"],
  ["support.type", "#4EC9B0"], ["variable", "#9CDCFE"], ["variable.language", "#569CD6"],
];
function colour(scopes) {
  let best = null;
  for (const s of scopes) for (const [p, c] of THEME) if ((s === p || s.startsWith(p + ".")) && (!best || p.length >= best[0].length)) best = [p, c];
  return best ? best[1] : "#D4D4D4";
}
const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
function html(files) {
  const parts = files.map(([name, text]) => {
    const body = tokenize(text).map((t) => `<span style="color:${colour(t.scopes)}" title="${esc(t.scopes.join(" "))}">${esc(t.text)}</span>`);
    // Re-insert the text between tokens (line breaks).
    let out = "", pos = 0;
    tokenize(text).forEach((t, k) => { out += esc(text.slice(pos, t.start)) + body[k]; pos = t.end; });
    return `<h3>${esc(name)}</h3><pre>${out}${esc(text.slice(pos))}</pre>`;
  });
  return `<!doctype html><meta charset="utf-8"><body style="background:#1E1E1E;color:#D4D4D4;font:13px 'DejaVu Sans Mono',monospace">${parts.join("")}</body>`;
}

// ── Main ───────────────────────────────────────────────────────────────────────────────

function sleepFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sleepFiles(p) : e.name.endsWith(".sleep") ? [p] : [];
  }).sort();
}

const args = process.argv.slice(2);
if (args[0] === "--dump") {
  for (const t of tokenize(fs.readFileSync(args[1], "utf8"))) {
    if (t.text.trim()) console.log(JSON.stringify(t.text).padEnd(28), t.scopes.slice(1).join(" "));
  }
  process.exit(0);
}
if (args[0] === "--html") {
  const files = (args.length > 2 ? args.slice(2) : []).map((f) => [f, fs.readFileSync(f, "utf8")]);
  files.push(["(edge cases of check.mjs)", EDGE]);
  fs.writeFileSync(args[1], html(files));
  console.log(`wrote ${args[1]}`);
  process.exit(0);
}

const files = [...sleepFiles(path.join(root, "protocols")), ...sleepFiles(path.join(root, "examples"))];
let failed = 0;
const total = { comment: 0, string: 0, number: 0, unit: 0, keyword: 0, builtin: 0 };
for (const f of files) {
  const rel = path.relative(root, f);
  const { failures, counts } = checkText(rel, fs.readFileSync(f, "utf8"));
  for (const k of Object.keys(total)) total[k] += counts[k] ?? 0;
  if (failures.length) {
    failed++;
    console.log(`FAIL ${rel}\n  ${failures.slice(0, 10).join("\n  ")}${failures.length > 10 ? `\n  … and ${failures.length - 10} more` : ""}`);
  } else {
    console.log(`ok   ${rel}`);
  }
}
// The ```sleep blocks of the docs: more of the language than the shipped files use.
for (const doc of fs.readdirSync(path.join(root, "docs")).filter((f) => f.endsWith(".md")).sort()) {
  const text = fs.readFileSync(path.join(root, "docs", doc), "utf8");
  const blocks = [...text.matchAll(/^```sleep\n([\s\S]*?)^```$/gm)];
  if (!blocks.length) continue;
  const fails = [];
  blocks.forEach((b) => {
    const line = text.slice(0, b.index).split("\n").length + 1;
    const { failures, counts } = checkText(`docs/${doc}:${line}+`, b[1]);
    for (const k of Object.keys(total)) total[k] += counts[k] ?? 0;
    fails.push(...failures);
  });
  files.push(doc);
  if (fails.length) {
    failed++;
    console.log(`FAIL docs/${doc} (${blocks.length} blocks)\n  ${fails.slice(0, 10).join("\n  ")}${fails.length > 10 ? `\n  … and ${fails.length - 10} more` : ""}`);
  } else {
    console.log(`ok   docs/${doc} (${blocks.length} blocks)`);
  }
}
const edge = [...expectScopes("edge cases", EDGE, EDGE_CASES), ...expectScopes("unterminated string", UNTERMINATED, UNTERMINATED_CASES)];
if (edge.length) {
  failed++;
  console.log(`FAIL edge cases\n  ${edge.join("\n  ")}`);
} else {
  console.log(`ok   edge cases (${EDGE_CASES.length + UNTERMINATED_CASES.length})`);
}
console.log(`checked ${total.comment} comments, ${total.string} strings, ${total.number} numbers (${total.unit} with a unit), ${total.keyword} keywords, ${total.builtin} built-in calls`);
console.log(`${files.length + 1 - failed} passed, ${failed} failed`);
process.exit(failed || process.exitCode ? 1 : 0);
