// pscheck: checks the PowerShell module without PowerShell.
//
//   node --liftoff-only tools/pscheck/pscheck.mjs [--root DIR] [FILE|DIR ...]
//   node --liftoff-only tools/pscheck/pscheck.mjs --self-test
//
// 1. Parses every *.ps1, *.psm1 and *.psd1 (default: <repo>/module/) with the
//    tree-sitter PowerShell grammar (WASM) and fails on any ERROR or MISSING
//    node.
// 2. Static rules for Windows PowerShell 5.1 compatibility (??, ?., ternary,
//    && and ||, -AsHashtable, ForEach-Object -Parallel, Join-String,
//    ConvertFrom-Json -Depth, clean blocks, $PSNativeCommandArgumentPassing,
//    $IsWindows-style variables without a 5.1 guard, ...) and for secrets
//    (a password or secret reaching an argument list, verbose output, or a
//    plain string).
// 3. For HybridManagement.psm1: the parameter->flag map table agrees with
//    every cmdlet's param() block, exports agree with the manifest, help and
//    format views exist, and the exit-code table names real ErrorCategory
//    values. (pkg/cmdlets/psmodule_contract_test.go checks the same table
//    against the CLI's flags.)
//
// --self-test runs every rule against fixtures/ and fails unless each fixture
// yields exactly the rules its "pscheck-expect:" line names, and every rule
// is exercised by some fixture.
//
// Exit status: 0 clean, 1 findings, 2 usage or internal error.

import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, resolve, relative, basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { Parser, Language } from 'web-tree-sitter';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

// Every rule this checker can report, with a one-line explanation.
export const RULES = {
  'syntax': 'the PowerShell grammar reports an ERROR or MISSING node',
  'ps7-null-coalescing': '?? and ??= are PowerShell 7 only',
  'ps7-null-conditional': '?. and ?[] are PowerShell 7 only',
  'ps7-ternary': 'the ternary operator ? : is PowerShell 7 only',
  'ps7-pipeline-chain': '&& and || pipeline chains are PowerShell 7 only',
  'ps7-ashashtable': '-AsHashtable (ConvertFrom-Json, Import-PowerShellDataFile ...) is PowerShell 6+ only',
  'ps7-foreach-parallel': 'ForEach-Object -Parallel is PowerShell 7 only',
  'ps7-cmdlet': 'cmdlet that Windows PowerShell 5.1 does not have (Join-String, Test-Json, Get-Error, ...)',
  'ps7-convertfrom-json-depth': 'ConvertFrom-Json -Depth is PowerShell 6.2+ only',
  'ps7-parameter': 'parameter or value that Windows PowerShell 5.1 does not have (-NoEnumerate, -AsArray, utf8NoBOM, ...)',
  'ps7-clean-block': 'clean { } blocks are PowerShell 7.3+ only',
  'ps7-replace-scriptblock': '-replace with a script block substitution is PowerShell 6.1+ only',
  'ps7-native-arg-passing': '$PSNativeCommandArgumentPassing does not exist in 5.1; build argument arrays that work without it',
  'ps7-unguarded-automatic-var': '$IsWindows/$IsLinux/$IsMacOS/$IsCoreCLR/$PSStyle used outside a PSEdition/PSVersion guard (absent in 5.1)',
  'requires-version': '#Requires -Version above 5.1',
  'encoding': 'non-ASCII text in a file without a UTF-8 byte-order mark (Windows PowerShell 5.1 reads it as ANSI)',
  'secret-in-arguments': 'a password or secret reaches an argument list or a native command line',
  'secret-plaintext': 'a secret is turned into a plain managed string (GetNetworkCredential, PtrToString*, ConvertFrom-SecureString -AsPlainText)',
  'secret-string-parameter': 'a password/secret parameter typed [string] instead of [SecureString]/[PSCredential]',
  'secret-in-output': 'a password or secret reaches Write-Verbose/Write-Host/... output',
  'secret-mapped-as-value': 'the map table passes a password/secret/credential parameter as a flag value',
  'map-parse': 'the parameter map table is missing or malformed',
  'map-unknown-kind': 'a map row has an unknown Kind or a malformed Flag',
  'map-kind-type': "a map row's Kind does not fit the parameter's declared type",
  'param-unmapped': 'a cmdlet parameter has no row in the map table',
  'map-param-missing': 'a map row names a parameter (or -WhatIf support) its cmdlet does not have',
  'map-orphan-command': 'a map row names a subcommand no cmdlet invokes',
  'cmdlet-shape': 'a public function lacks [CmdletBinding()] or does not call the invoke helper',
  'help-missing': 'a public function lacks comment-based help (.SYNOPSIS, .EXAMPLE, .PARAMETER for each parameter)',
  'export-mismatch': 'Export-ModuleMember, FunctionsToExport and the defined functions disagree',
  'exitcode-table': 'the exit-code table is incomplete or names no real ErrorCategory',
  'format-missing-view': 'a PSTypeName the module emits has no view in the format file',
  'psd1-field': 'the manifest lacks PowerShellVersion 5.1, CompatiblePSEditions Desktop+Core, FormatsToProcess or RootModule',
};

const ERROR_CATEGORIES = new Set([
  'NotSpecified', 'OpenError', 'CloseError', 'DeviceError', 'DeadlockDetected', 'InvalidArgument',
  'InvalidData', 'InvalidOperation', 'InvalidResult', 'InvalidType', 'MetadataError', 'NotImplemented',
  'NotInstalled', 'ObjectNotFound', 'OperationStopped', 'OperationTimeout', 'SyntaxError', 'ParserError',
  'PermissionDenied', 'ResourceBusy', 'ResourceExists', 'ResourceUnavailable', 'ReadError', 'WriteError',
  'FromStdErr', 'SecurityError', 'ProtocolError', 'ConnectionError', 'AuthenticationError',
  'LimitsExceeded', 'QuotaExceeded', 'NotEnabled',
]);

const KIND_TYPES = {
  'switch': ['switch', 'switchparameter'],
  'string': ['string'],
  'path': ['string'],
  'string[]': ['string[]'],
  'int': ['int', 'int32'],
  'seconds': ['int', 'int32'],
  'username': ['pscredential'],
  'secret': ['pscredential', 'securestring'],
  'stdin': ['securestring'],
  'verbose': null, // common parameter
  'whatif': null, // common parameter
  'confirm': null, // common parameter
};

const PS7_CMDLETS = ['Join-String', 'Test-Json', 'Get-Error', 'ConvertFrom-Markdown', 'Show-Markdown',
  'Get-MarkdownOption', 'Set-MarkdownOption', 'Remove-Alias', 'Get-Uptime', 'Remove-Service', 'Clear-RecycleBin'];

// Parameters (as prefixes PowerShell would accept) and values 5.1 lacks.
const PS7_PARAMETERS = [
  [/^-NoEnum/i, '-NoEnumerate'], [/^-AsArray$/i, '-AsArray'], [/^-AsByteStream$/i, '-AsByteStream'],
  [/^-SkipCertificateCheck$/i, '-SkipCertificateCheck'], [/^-SkipHttpErrorCheck$/i, '-SkipHttpErrorCheck'],
  [/^-ResponseHeadersVariable$/i, '-ResponseHeadersVariable'], [/^-EscapeHandling$/i, '-EscapeHandling'],
  [/^-EnumsAsStrings$/i, '-EnumsAsStrings'], [/^-DateKind$/i, '-DateKind'],
];

const SECRET_SOURCE = /\$(?:script:|global:|local:)?\w*(?:password|passwd|secret)\w*|\.Password\b|GetNetworkCredential\s*\(|PtrToString\w*|ConvertFrom-SecureString/i;
const OUTPUT_COMMANDS = /^(Write-(Verbose|Debug|Host|Information|Output|Warning|Error|Progress)|Out-(File|Host|String|Default)|Add-Content|Set-Content|echo|Tee-Object)$/i;
const GUARD = /PSEdition|PSVersionTable\.PSVersion|PSVersion\.Major|variable:\s*Is(Windows|Linux|MacOS|CoreCLR)|Get-Variable\b/i;

// ---------------------------------------------------------------------------
// Parsing

let parser;
async function getParser() {
  if (parser) return parser;
  await Parser.init();
  const wasm = join(dirname(require.resolve('tree-sitter-powershell/package.json')), 'tree-sitter-powershell.wasm');
  const lang = await Language.load(wasm);
  parser = new Parser();
  parser.setLanguage(lang);
  return parser;
}

function walk(node, fn, parents = []) {
  if (fn(node, parents) === false) return;
  parents.push(node);
  for (let i = 0; i < node.childCount; i++) walk(node.child(i), fn, parents);
  parents.pop();
}

function lineCol(node) {
  return `${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
}

function lineOf(src, index) {
  let line = 1;
  for (let i = 0; i < index && i < src.length; i++) if (src.charCodeAt(i) === 10) line++;
  return line;
}

// The source with comments and the literal text of strings blanked (newlines
// kept, so offsets and line numbers stay valid). Variables and $( ) inside
// expandable strings stay visible: they are code.
function maskSource(src, root) {
  const chars = src.split('');
  const blank = (from, to) => {
    for (let i = from; i < to; i++) if (chars[i] !== '\n' && chars[i] !== '\r') chars[i] = ' ';
  };
  walk(root, (node) => {
    if (node.type === 'comment') {
      blank(node.startIndex, node.endIndex);
      return false;
    }
    if (node.type === 'string_literal') {
      const keep = [];
      walk(node, (n) => {
        if (n !== node && (n.type === 'variable' || n.type === 'sub_expression')) {
          keep.push([n.startIndex, n.endIndex]);
          return false;
        }
        return true;
      });
      let pos = node.startIndex;
      for (const [from, to] of keep) {
        blank(pos, from);
        pos = to;
      }
      blank(pos, node.endIndex);
      return false;
    }
    return true;
  });
  return chars.join('');
}

// ---------------------------------------------------------------------------
// Findings

class Findings {
  constructor() { this.list = []; }
  add(rule, file, where, message) {
    if (!RULES[rule]) throw new Error(`unknown rule ${rule}`);
    this.list.push({ rule, file, where, message });
  }
}

function syntaxFindings(file, root, findings) {
  walk(root, (node) => {
    if (node.isMissing) {
      findings.add('syntax', file, lineCol(node), `MISSING ${node.type}`);
    } else if (node.type === 'ERROR') {
      const text = node.text.replace(/\s+/g, ' ').trim().slice(0, 60);
      findings.add('syntax', file, lineCol(node), `ERROR near: ${text}`);
      return true;
    }
    return true;
  });
}

// Statements: nodes directly in a statement_list. ownText blanks nested
// statement lists, so a statement is judged by its own tokens only.
function statements(root) {
  const out = [];
  walk(root, (node) => {
    if (node.parent && node.parent.type === 'statement_list') out.push(node);
    return true;
  });
  return out;
}

function ownText(node, masked) {
  const chars = masked.slice(node.startIndex, node.endIndex).split('');
  walk(node, (n) => {
    if (n !== node && n.type === 'statement_list') {
      for (let i = n.startIndex - node.startIndex; i < n.endIndex - node.startIndex; i++) {
        if (chars[i] !== '\n') chars[i] = ' ';
      }
      return false;
    }
    return true;
  });
  return chars.join('');
}

function commandName(cmd) {
  for (let i = 0; i < cmd.childCount; i++) {
    const c = cmd.child(i);
    if (c.type === 'command_name' || c.type === 'command_name_expr') return c.text;
  }
  return '';
}

function commandParameters(cmd) {
  const out = [];
  walk(cmd, (n) => {
    if (n !== cmd && (n.type === 'script_block_expression' || n.type === 'command')) return false;
    if (n.type === 'command_parameter') out.push(n);
    return true;
  });
  return out;
}

function ruleFindings(file, src, root, findings) {
  const masked = maskSource(src, root);
  const at = (index) => `${lineOf(src, index)}`;
  const each = (re, fn) => {
    const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
    let m;
    while ((m = g.exec(masked)) !== null) {
      fn(m);
      if (m[0].length === 0) g.lastIndex++;
    }
  };

  // #Requires -Version (a comment to the grammar).
  walk(root, (node) => {
    if (node.type === 'comment') {
      const m = /^#requires\s+.*-version\s+(\d+)(?:\.(\d+))?/i.exec(node.text);
      if (m && (Number(m[1]) > 5 || (Number(m[1]) === 5 && Number(m[2] || 0) > 1))) {
        findings.add('requires-version', file, lineCol(node), node.text.trim());
      }
    }
    return true;
  });

  // Operators, from the masked text (strings and comments cannot match), and
  // from the grammar's ERROR tokens.
  each(/\?\?=?/, (m) => findings.add('ps7-null-coalescing', file, at(m.index), m[0]));
  each(/(?:\$\{[^}\n]*\}|\$[\w:]+|[)\]])\?(?:\.|\[)/, (m) => findings.add('ps7-null-conditional', file, at(m.index), m[0]));
  each(/[^\s|;{(,=!]\s+\?\s+[^\n]*?\s:\s/, (m) => findings.add('ps7-ternary', file, at(m.index), m[0].trim()));
  walk(root, (node) => {
    if (node.type === 'ERROR' && node.childCount === 0 && node.text.trim() === '?') {
      let next = node.nextSibling;
      const nextText = next ? next.text : '';
      if (!/^[.[?]/.test(nextText)) {
        const parent = node.parent;
        if (parent && /\s:\s|\s:$|^:|\S:\S/.test(parent.text) && !/\?\?/.test(parent.text)) {
          findings.add('ps7-ternary', file, lineCol(node), src.split('\n')[node.startPosition.row].trim().slice(0, 60));
        }
      }
    }
    if (node.type === 'pipeline_chain_tail') {
      findings.add('ps7-pipeline-chain', file, lineCol(node), node.text);
    }
    return true;
  });
  each(/&&|\|\|/, (m) => {
    // Reported from the tree when the grammar saw it; the text catches the rest.
    const line = at(m.index);
    if (!findings.list.some((f) => f.rule === 'ps7-pipeline-chain' && f.file === file && f.where.split(':')[0] === line)) {
      findings.add('ps7-pipeline-chain', file, line, m[0]);
    }
  });
  each(/(^|[;{}])[ \t]*clean[ \t]*\r?\n?[ \t]*\{/m, (m) => findings.add('ps7-clean-block', file, at(m.index + m[1].length), 'clean { }'));
  each(/-replace\s+[^,\n]+,\s*\{/i, (m) => findings.add('ps7-replace-scriptblock', file, at(m.index), m[0]));
  each(/\bJoin-String\b|\bTest-Json\b|\bGet-Error\b|\bConvertFrom-Markdown\b|\bShow-Markdown\b|\bRemove-Alias\b|\bGet-Uptime\b|\bRemove-Service\b|\bClear-RecycleBin\b/i,
    (m) => findings.add('ps7-cmdlet', file, at(m.index), m[0]));
  each(/\butf8NoBOM\b|\butf8BOM\b/i, (m) => findings.add('ps7-parameter', file, at(m.index), m[0]));

  // Commands and their parameters, from the tree.
  walk(root, (node, parents) => {
    if (node.type === 'command_parameter') {
      if (/^-AsHashtable$/i.test(node.text)) findings.add('ps7-ashashtable', file, lineCol(node), node.text);
      for (const [re, name] of PS7_PARAMETERS) {
        if (re.test(node.text)) findings.add('ps7-parameter', file, lineCol(node), name);
      }
    }
    if (node.type === 'command') {
      const name = commandName(node);
      const params = commandParameters(node);
      if (/^(ForEach-Object|foreach|%)$/i.test(name) && params.some((p) => /^-pa/i.test(p.text))) {
        findings.add('ps7-foreach-parallel', file, lineCol(node), 'ForEach-Object -Parallel');
      }
      if (/^ConvertFrom-Json$/i.test(name) && params.some((p) => /^-dep/i.test(p.text))) {
        findings.add('ps7-convertfrom-json-depth', file, lineCol(node), 'ConvertFrom-Json -Depth');
      }
    }
    if (node.type === 'variable') {
      const v = node.text.replace(/^[$@]\{?/, '').replace(/\}$/, '').replace(/^(global|script|local):/i, '');
      if (/^PSNativeCommandArgumentPassing$/i.test(v)) {
        findings.add('ps7-native-arg-passing', file, lineCol(node), node.text);
      }
      if (/^(IsWindows|IsLinux|IsMacOS|IsCoreCLR|PSStyle|EnabledExperimentalFeatures)$/i.test(v) && !guarded(node, parents)) {
        findings.add('ps7-unguarded-automatic-var', file, lineCol(node), node.text);
      }
    }
    return true;
  });

  // Secrets.
  each(/NetworkCredential|\bPtrToString(?:BSTR|Uni|Auto|Ansi)\b|ConvertFrom-SecureString\b[^\n]*-AsPlainText/i,
    (m) => findings.add('secret-plaintext', file, at(m.index), m[0]));
  walk(root, (node) => {
    if (node.type === 'script_parameter') {
      const p = scriptParameter(node);
      if (/password|passwd|secret/i.test(p.name) && (p.type === '' || p.type === 'string' || p.type === 'object' || p.type === 'string[]')) {
        findings.add('secret-string-parameter', file, lineCol(node), `$${p.name} is [${p.type || 'untyped'}]`);
      }
    }
    return true;
  });
  for (const st of statements(root)) {
    const text = ownText(st, masked);
    if (!SECRET_SOURCE.test(text)) continue;
    const source = SECRET_SOURCE.exec(text)[0];
    // Assignment to, or Add/AddRange/Insert on, anything named *arg*
    // ($arguments, $argList, $startInfo.Arguments, $psi.ArgumentList).
    const sink = /(\$[\w:]+(?:\.\w+)*)\s*(\+=|=(?![=~])|\.(?:Add|AddRange|Insert)\s*\()/gi;
    let m;
    let hit = false;
    while ((m = sink.exec(text)) !== null) {
      const path = m[1] + (m[2].startsWith('.') ? '' : '');
      if (/arg/i.test(path)) {
        // The secret must be on the value side of this sink.
        const valueSide = text.slice(m.index + m[0].length);
        if (SECRET_SOURCE.test(valueSide)) hit = true;
      }
    }
    if (/Start-Process\b[\s\S]*-(ArgumentList|Args)\b/i.test(text)) hit = true;
    if (hit) findings.add('secret-in-arguments', file, `${st.startPosition.row + 1}`, `${source} in: ${text.trim().replace(/\s+/g, ' ').slice(0, 80)}`);
  }
  walk(root, (node) => {
    if (node.type !== 'command') return true;
    const name = commandName(node);
    const text = ownText(node, masked);
    let native = false;
    for (let i = 0; i < node.childCount; i++) if (node.child(i).type === 'command_invokation_operator') native = true;
    if (/\.exe$|^hybridmgmt$|^cmd$/i.test(name)) native = true;
    if (native && SECRET_SOURCE.test(text)) {
      findings.add('secret-in-arguments', file, lineCol(node), `native command line carries ${SECRET_SOURCE.exec(text)[0]}`);
    }
    if (OUTPUT_COMMANDS.test(name) && SECRET_SOURCE.test(text)) {
      findings.add('secret-in-output', file, lineCol(node), `${name} writes ${SECRET_SOURCE.exec(text)[0]}`);
    }
    return true;
  });
}

// A use of $IsLinux & co. is guarded when it sits in the then-block of an if
// (or elseif) whose condition tests PSEdition/PSVersion, or in a condition
// after such a test joined with -and.
function guarded(node, parents) {
  for (let i = parents.length - 1; i >= 0; i--) {
    const p = parents[i];
    if (p.type === 'statement_block' && i > 0) {
      const owner = parents[i - 1];
      if (owner.type === 'if_statement' || owner.type === 'elseif_clause') {
        const cond = conditionOf(owner);
        if (cond && GUARD.test(cond.text)) return true;
      }
    }
    if (p.type === 'pipeline' && i > 0 && (parents[i - 1].type === 'if_statement' || parents[i - 1].type === 'elseif_clause')) {
      const before = p.text.slice(0, node.startIndex - p.startIndex);
      if (GUARD.test(before) && /-and\b/i.test(before)) return true;
    }
  }
  return false;
}

function conditionOf(ifNode) {
  for (let i = 0; i < ifNode.childCount; i++) {
    if (ifNode.child(i).type === 'pipeline') return ifNode.child(i);
  }
  return null;
}

// ---------------------------------------------------------------------------
// Module model (functions, parameters, map table)

function typeName(typeLiteral) {
  const t = typeLiteral.text.replace(/^\[/, '').replace(/\]$/, '').replace(/\s+/g, '');
  const last = t.split('.').pop().toLowerCase();
  return last;
}

function attributeName(attr) {
  for (let i = 0; i < attr.childCount; i++) {
    if (attr.child(i).type === 'attribute_name') return attr.child(i).text;
  }
  return '';
}

function scriptParameter(node) {
  const p = { name: '', type: '', attributes: {}, node };
  for (let i = 0; i < node.childCount; i++) {
    const c = node.child(i);
    if (c.type === 'variable') p.name = c.text.replace(/^\$/, '');
    if (c.type === 'attribute_list') {
      for (let j = 0; j < c.childCount; j++) {
        const a = c.child(j);
        if (a.type !== 'attribute') continue;
        const tl = a.childCount > 0 && a.child(0).type === 'type_literal' ? a.child(0) : null;
        if (tl) {
          p.type = typeName(tl);
        } else {
          p.attributes[attributeName(a).toLowerCase()] = a.text;
        }
      }
    }
  }
  return p;
}

function functionModel(fn, src) {
  const model = { name: '', node: fn, params: [], cmdletBinding: null, help: '', invokes: [], typeNames: [] };
  for (let i = 0; i < fn.childCount; i++) {
    const c = fn.child(i);
    if (c.type === 'function_name') model.name = c.text;
    if (c.type === 'comment' && /\.SYNOPSIS/i.test(c.text)) model.help = c.text;
  }
  const prev = fn.previousSibling;
  if (!model.help && prev && prev.type === 'comment' && /\.SYNOPSIS/i.test(prev.text)) model.help = prev.text;
  walk(fn, (n) => {
    if (n !== fn && n.type === 'function_statement') return false;
    if (n.type === 'comment' && !model.help && /\.SYNOPSIS/i.test(n.text)) model.help = n.text;
    if (n.type === 'param_block' && !model.paramBlock) {
      model.paramBlock = n;
      walk(n, (m) => {
        if (m.type === 'script_parameter') {
          model.params.push(scriptParameter(m));
          return false;
        }
        if (m.type === 'attribute' && /^CmdletBinding$/i.test(attributeName(m))) model.cmdletBinding = m.text;
        return true;
      });
      return false;
    }
    if (n.type === 'command' && /^(Invoke-HybridMgmt|Invoke-HybridWrite)$/i.test(commandName(n))) {
      const m = /-Command\s+'([^']+)'/i.exec(n.text);
      if (m) model.invokes.push(m[1]);
      const t = /-TypeName\s+'([^']+)'/i.exec(n.text);
      if (t) model.typeNames.push(t[1]);
    }
    return true;
  });
  return model;
}

function parseMapTable(src, root) {
  let table = null;
  walk(root, (node) => {
    if (table || node.type !== 'assignment_expression') return !table;
    if (!/^\$script:HybridParameterMap\b/i.test(node.text)) return true;
    walk(node, (n) => {
      if (!table && n.type === 'verbatim_here_string_characters') table = { node, text: n.text };
      return !table;
    });
    return false;
  });
  if (!table) return null;
  const body = table.text.replace(/^@'\r?\n/, '').replace(/\r?\n'@$/, '');
  const lines = body.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines.shift();
  const rows = lines.map((l, i) => {
    const cells = l.split(',');
    return { command: cells[0], parameter: cells[1], flag: cells[2], kind: cells[3], cells: cells.length, line: table.node.startPosition.row + 3 + i };
  });
  return { header, rows, node: table.node };
}

function moduleFindings(file, src, root, findings, opts) {
  const map = parseMapTable(src, root);
  if (!map) {
    findings.add('map-parse', file, '1', 'no $script:HybridParameterMap = @\'...\'@ | ConvertFrom-Csv table');
    return;
  }
  if (map.header !== 'Command,Parameter,Flag,Kind') {
    findings.add('map-parse', file, lineCol(map.node), `header is "${map.header}", want "Command,Parameter,Flag,Kind"`);
  }
  for (const r of map.rows) {
    if (r.cells !== 4) findings.add('map-parse', file, `${r.line}`, `row has ${r.cells} cells, want 4`);
    if (!(r.kind in KIND_TYPES)) findings.add('map-unknown-kind', file, `${r.line}`, `kind "${r.kind}" of ${r.parameter}`);
    if (r.kind === 'stdin' ? r.flag !== '' : !/^--[a-z0-9][a-z0-9-]*$/.test(r.flag || '')) {
      findings.add('map-unknown-kind', file, `${r.line}`, `flag "${r.flag}" of ${r.parameter}`);
    }
    if (/password|secret|credential/i.test(r.parameter) && !['username', 'secret', 'stdin'].includes(r.kind)) {
      findings.add('secret-mapped-as-value', file, `${r.line}`, `${r.parameter} is mapped as ${r.kind} to ${r.flag}`);
    }
  }

  // Top-level functions; public = exported.
  const functions = new Map();
  walk(root, (node) => {
    if (node.type === 'function_statement') {
      const m = functionModel(node, src);
      functions.set(m.name.toLowerCase(), m);
      return false;
    }
    return true;
  });
  let exported = [];
  walk(root, (node) => {
    if (node.type === 'command' && /^Export-ModuleMember$/i.test(commandName(node))) {
      exported = [...node.text.matchAll(/'([A-Za-z]+-[A-Za-z0-9]+)'/g)].map((m) => m[1]);
    }
    return true;
  });
  if (exported.length === 0) findings.add('export-mismatch', file, '1', 'no Export-ModuleMember -Function list');

  const rowsFor = (command, name) => {
    const own = map.rows.filter((r) => r.command === command && r.parameter.toLowerCase() === name.toLowerCase());
    return own.length ? own : map.rows.filter((r) => r.command === '*' && r.parameter.toLowerCase() === name.toLowerCase());
  };
  const invoked = new Set();
  const emittedTypes = new Set();
  for (const name of exported) {
    const fn = functions.get(name.toLowerCase());
    if (!fn) {
      findings.add('export-mismatch', file, '1', `${name} is exported but not defined`);
      continue;
    }
    const where = lineCol(fn.node);
    if (!fn.cmdletBinding) findings.add('cmdlet-shape', file, where, `${fn.name} has no [CmdletBinding()]`);
    if (fn.invokes.length === 0) findings.add('cmdlet-shape', file, where, `${fn.name} does not call Invoke-HybridMgmt/Invoke-HybridWrite`);
    fn.typeNames.forEach((t) => emittedTypes.add(t));
    if (!fn.help || !/\.EXAMPLE/i.test(fn.help)) {
      findings.add('help-missing', file, where, `${fn.name} has no comment-based help with .SYNOPSIS and .EXAMPLE`);
    }
    for (const p of fn.params) {
      if (fn.help && !new RegExp(`\\.PARAMETER\\s+${p.name}\\b`, 'i').test(fn.help)) {
        findings.add('help-missing', file, lineCol(p.node), `${fn.name} help has no .PARAMETER ${p.name}`);
      }
    }
    const shouldProcess = /SupportsShouldProcess\s*=\s*\$true/i.test(fn.cmdletBinding || '') || /SupportsShouldProcess\s*\)/i.test(fn.cmdletBinding || '');
    for (const command of fn.invokes) {
      invoked.add(command);
      for (const p of fn.params) {
        const rows = rowsFor(command, p.name);
        if (rows.length === 0) {
          findings.add('param-unmapped', file, lineCol(p.node), `-${p.name} of ${fn.name} has no row for ${command} or *`);
          continue;
        }
        for (const r of rows) {
          const want = KIND_TYPES[r.kind];
          if (want === null || (want && !want.includes(p.type))) {
            findings.add('map-kind-type', file, lineCol(p.node), `-${p.name} is [${p.type || 'untyped'}] but ${r.command},${r.parameter} is kind ${r.kind}`);
          }
        }
      }
      for (const r of map.rows.filter((x) => x.command === command)) {
        if (r.kind === 'whatif' || r.kind === 'confirm') {
          if (!shouldProcess) findings.add('map-param-missing', file, `${r.line}`, `${command} maps -${r.parameter} but ${fn.name} lacks SupportsShouldProcess`);
        } else if (r.kind === 'verbose') {
          // common parameter of every advanced function
        } else if (!fn.params.some((p) => p.name.toLowerCase() === r.parameter.toLowerCase())) {
          findings.add('map-param-missing', file, `${r.line}`, `${command},${r.parameter}: ${fn.name} has no -${r.parameter}`);
        }
      }
    }
  }
  for (const r of map.rows) {
    if (r.command !== '*' && !invoked.has(r.command)) {
      findings.add('map-orphan-command', file, `${r.line}`, `no exported cmdlet invokes ${r.command}`);
    }
  }

  // Exit-code table.
  const exitTable = /\$script:HybridExitCodeCategory\s*=\s*@\{([^}]*)\}/.exec(src);
  if (!exitTable) {
    findings.add('exitcode-table', file, '1', 'no $script:HybridExitCodeCategory = @{ ... } table');
  } else {
    const entries = new Map([...exitTable[1].matchAll(/(\d+)\s*=\s*'([A-Za-z]+)'/g)].map((m) => [Number(m[1]), m[2]]));
    for (let code = 1; code <= 6; code++) {
      if (!entries.has(code)) findings.add('exitcode-table', file, `${lineOf(src, exitTable.index)}`, `exit code ${code} has no category`);
    }
    for (const [code, cat] of entries) {
      if (!ERROR_CATEGORIES.has(cat)) findings.add('exitcode-table', file, `${lineOf(src, exitTable.index)}`, `exit code ${code}: "${cat}" is not an ErrorCategory`);
    }
    const pd = /\$script:HybridPermissionDeniedCategory\s*=\s*'([A-Za-z]+)'/.exec(src);
    if (pd && !ERROR_CATEGORIES.has(pd[1])) findings.add('exitcode-table', file, `${lineOf(src, pd.index)}`, `"${pd[1]}" is not an ErrorCategory`);
  }

  // Manifest and format file beside the psm1.
  const dir = dirname(opts.path);
  const base = basename(opts.path, '.psm1');
  const psd1Path = join(dir, base + '.psd1');
  if (!existsSync(psd1Path)) {
    findings.add('psd1-field', file, '1', `no ${base}.psd1 beside the module`);
  } else {
    const psd1 = readFileSync(psd1Path, 'utf8');
    const rel = opts.display(psd1Path);
    const fte = /FunctionsToExport\s*=\s*@\(([^)]*)\)/i.exec(psd1);
    const manifestFns = fte ? [...fte[1].matchAll(/'([^']+)'/g)].map((m) => m[1]) : [];
    const a = [...exported].sort().join(',');
    const b = [...manifestFns].sort().join(',');
    if (a !== b) findings.add('export-mismatch', rel, '1', `FunctionsToExport [${b}] differs from Export-ModuleMember [${a}]`);
    if (!/PowerShellVersion\s*=\s*'5\.1'/i.test(psd1)) findings.add('psd1-field', rel, '1', "PowerShellVersion must be '5.1'");
    const cpe = /CompatiblePSEditions\s*=\s*@?\(?([^)\n]*)/i.exec(psd1);
    if (!cpe || !/'Desktop'/.test(cpe[1]) || !/'Core'/.test(cpe[1])) findings.add('psd1-field', rel, '1', "CompatiblePSEditions must list 'Desktop' and 'Core'");
    if (!new RegExp(`RootModule\\s*=\\s*'${base}\\.psm1'`, 'i').test(psd1)) findings.add('psd1-field', rel, '1', `RootModule must be '${base}.psm1'`);
    if (!/ModuleVersion\s*=\s*'\d+\.\d+(\.\d+)?'/i.test(psd1)) findings.add('psd1-field', rel, '1', 'ModuleVersion missing or not N.N.N');
    const ftp = /FormatsToProcess\s*=\s*@?\(?\s*'([^']+)'/i.exec(psd1);
    if (!ftp) {
      findings.add('psd1-field', rel, '1', 'FormatsToProcess missing');
    } else if (!existsSync(join(dir, ftp[1]))) {
      findings.add('psd1-field', rel, '1', `FormatsToProcess names ${ftp[1]}, which does not exist`);
    }
  }
  const formatPath = join(dir, base + '.format.ps1xml');
  const formatXml = existsSync(formatPath) ? readFileSync(formatPath, 'utf8') : '';
  const viewTypes = new Set([...formatXml.matchAll(/<TypeName>\s*([^<\s]+)\s*<\/TypeName>/g)].map((m) => m[1]));
  if (!/Update-FormatData\b/.test(src)) findings.add('format-missing-view', file, '1', 'the module never calls Update-FormatData (Import-Module .\\X.psm1 skips the manifest)');
  for (const t of emittedTypes) {
    if (!viewTypes.has(t)) findings.add('format-missing-view', file, '1', `${t} has no view in ${basename(formatPath)}`);
  }
}

// ---------------------------------------------------------------------------
// Driver

function collectFiles(target) {
  const st = statSync(target);
  if (st.isFile()) return [target];
  return readdirSync(target)
    .filter((n) => ['.ps1', '.psm1', '.psd1'].includes(extname(n).toLowerCase()))
    .sort()
    .map((n) => join(target, n));
}

async function checkFiles(paths, display) {
  const p = await getParser();
  const findings = new Findings();
  for (const path of paths) {
    const raw = readFileSync(path, 'utf8');
    const src = raw.replace(/^\uFEFF/, '');
    const tree = p.parse(src);
    const file = display(path);
    if (raw === src && /[^\x00-\x7F]/.test(src)) {
      const index = src.search(/[^\x00-\x7F]/);
      findings.add('encoding', file, `${lineOf(src, index)}`, `non-ASCII character U+${src.codePointAt(index).toString(16).toUpperCase().padStart(4, '0')} and no UTF-8 BOM`);
    }
    syntaxFindings(file, tree.rootNode, findings);
    ruleFindings(file, src, tree.rootNode, findings);
    if (extname(path).toLowerCase() === '.psm1') {
      moduleFindings(file, src, tree.rootNode, findings, { path, display });
    }
    tree.delete();
  }
  return findings;
}

function report(findings) {
  for (const f of findings.list) {
    console.log(`${f.file}:${f.where}: [${f.rule}] ${f.message}`);
  }
}

async function selfTest() {
  const fixtures = join(here, 'fixtures');
  const display = (p) => relative(fixtures, p);
  const cases = [];
  for (const name of readdirSync(fixtures).sort()) {
    const full = join(fixtures, name);
    if (statSync(full).isDirectory()) {
      const files = collectFiles(full);
      const psm1 = files.find((f) => f.endsWith('.psm1'));
      cases.push({ name, files, expectFrom: psm1 || files[0] });
    } else if (['.ps1', '.psm1', '.psd1'].includes(extname(name).toLowerCase())) {
      cases.push({ name, files: [full], expectFrom: full });
    }
  }
  const exercised = new Set();
  let failed = 0;
  for (const c of cases) {
    const text = readFileSync(c.expectFrom, 'utf8');
    const m = /pscheck-expect:\s*([^\r\n]*)/.exec(text);
    if (!m) {
      console.log(`FAIL ${c.name}: no "pscheck-expect:" line`);
      failed++;
      continue;
    }
    const expected = new Set(m[1].split(/[,\s]+/).filter((x) => x && x !== 'none'));
    const findings = await checkFiles(c.files, display);
    const got = new Set(findings.list.map((f) => f.rule));
    got.forEach((r) => exercised.add(r));
    const missing = [...expected].filter((r) => !got.has(r));
    const extra = [...got].filter((r) => !expected.has(r));
    if (missing.length || extra.length) {
      failed++;
      console.log(`FAIL ${c.name}: expected [${[...expected].join(', ') || 'none'}], got [${[...got].join(', ') || 'none'}]`);
      report(findings);
    } else {
      console.log(`ok   ${c.name}: ${[...got].join(', ') || 'clean'} (${findings.list.length} finding${findings.list.length === 1 ? '' : 's'})`);
    }
  }
  const unexercised = Object.keys(RULES).filter((r) => !exercised.has(r));
  if (unexercised.length) {
    failed++;
    console.log(`FAIL rules no fixture exercises: ${unexercised.join(', ')}`);
  }
  console.log(failed ? `self-test: ${failed} failure(s)` : `self-test: all ${Object.keys(RULES).length} rules fire on their fixtures; the good fixtures are clean`);
  return failed ? 1 : 0;
}

async function main(argv) {
  const args = argv.slice(2);
  if (args.includes('-h') || args.includes('--help')) {
    console.log('usage: node --liftoff-only pscheck.mjs [--self-test] [--root DIR] [FILE|DIR ...]');
    return 0;
  }
  if (args.includes('--self-test')) return selfTest();
  let root = resolve(here, '..', '..');
  const targets = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--root') root = resolve(args[++i]);
    else if (args[i].startsWith('-')) {
      console.error(`pscheck: unknown option ${args[i]}`);
      return 2;
    } else targets.push(resolve(args[i]));
  }
  if (targets.length === 0) targets.push(join(root, 'module'));
  const paths = targets.flatMap(collectFiles);
  if (paths.length === 0) {
    console.error(`pscheck: no .ps1/.psm1/.psd1 files in ${targets.join(', ')}`);
    return 2;
  }
  const display = (p) => relative(root, p) || p;
  const findings = await checkFiles(paths, display);
  report(findings);
  if (findings.list.length) {
    console.log(`pscheck: ${findings.list.length} finding(s) in ${paths.length} file(s)`);
    return 1;
  }
  console.log(`pscheck: ${paths.length} file(s) parse cleanly with tree-sitter-powershell and pass all ${Object.keys(RULES).length - 1} static rules`);
  return 0;
}

main(process.argv).then((code) => process.exit(code), (err) => {
  console.error('pscheck: internal error:', err && err.stack ? err.stack : err);
  process.exit(2);
});
