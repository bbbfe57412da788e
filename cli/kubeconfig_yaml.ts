/**
 * Edits a kubeconfig's text in place: add or replace one named entry of `users` or
 * `contexts`, set `current-context` when there is none. Everything else stays byte for byte:
 * the change is spliced into the text at the places the `yaml` parser locates, never
 * re-serialized, so comments, quoting, blank lines and key order survive. Only a kubeconfig
 * written in flow style (JSON) goes through the parser's own writer, which keeps its comments
 * and content but not its layout.
 *
 * @module
 */

import {
  Document,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  parseDocument,
  stringify,
  type YAMLMap,
} from "yaml";
import { ClauthError } from "../errors.ts";

/** A named entry of a kubeconfig list (`users`, `contexts`, `clusters`). */
export interface NamedEntry {
  name: string;
  [key: string]: unknown;
}

/** What a kubeconfig must start with (kubectl writes the same two keys). */
const NEW_FILE = "apiVersion: v1\nkind: Config\n";

function parse(text: string, where: string): Document {
  const doc = parseDocument(text);
  const error = doc.errors[0];
  if (error) {
    throw new ClauthError(
      "usage",
      `${where} is not valid YAML (${
        error.message.split("\n")[0]
      }): clauth does not rewrite a file it cannot read. Fix it by hand first.`,
    );
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new ClauthError("usage", `${where} is not a kubeconfig: its top level is not a mapping.`);
  }
  return doc;
}

/** The entry named `name` in the list `list` of the kubeconfig, as plain data. */
export function findEntry(
  text: string,
  list: string,
  name: string,
  where = "The kubeconfig",
): NamedEntry | undefined {
  const entries = parse(text, where).toJS()?.[list];
  return Array.isArray(entries)
    ? entries.find((entry) => entry?.name === name && typeof entry === "object")
    : undefined;
}

/** The top-level scalar `key` (such as `current-context`), when it is a non-empty string. */
export function topLevelString(text: string, key: string, where = "The kubeconfig") {
  const value = parse(text, where).toJS()?.[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * `text` with `entry` in the list `list`: it replaces the entry of the same name, or is added
 * after the last one. `text` "" is a new file. With `merge`, an entry of that name keeps what
 * `entry` does not set (a context's namespace), and its comments.
 */
export function upsertEntry(
  text: string,
  list: string,
  entry: NamedEntry,
  where = "The kubeconfig",
  merge = false,
): string {
  const doc = parse(text, where);
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  if (doc.contents === null) return upsertEntry(withEnd(text, eol) + NEW_FILE, list, entry, where);
  const top = doc.contents as YAMLMap;
  if (top.flow) return rewritten(text, doc, (d) => putEntry(d, list, entry, merge));
  const pair = top.items.find((item) => isScalar(item.key) && item.key.value === list) as
    | Pair<Node, Node | null>
    | undefined;
  const block = (indent: number) => render(entry, indent, eol);
  if (!pair) return `${withEnd(text, eol)}${list}:${eol}- ${block(2)}${eol}`;
  const value = pair.value;
  if (isSeq(value) && !value.flow && value.items.length > 0) {
    const items = value.items as Node[];
    const at = items.findIndex((item) => isMap(item) && item.get("name") === entry.name);
    const target = items[at >= 0 ? at : items.length - 1]!;
    const [start, end] = target.range!;
    const column = start - lineStart(text, start);
    const dash = text.lastIndexOf("-", start - 1) - lineStart(text, start);
    if (dash < 0) return rewritten(text, doc, (d) => putEntry(d, list, entry, merge));
    const trailing = /\s*$/.exec(text.slice(start, end))![0];
    if (at >= 0 && merge) {
      // The entry's own text, its trailing comment included, rendered again with the changes.
      const last = target.range![2];
      const kept = /\s*$/.exec(text.slice(start, last))![0];
      setLeaves(target, entry);
      const sub = new Document();
      sub.contents = target;
      const lines = sub.toString({ indentSeq: false, lineWidth: 0 }).trimEnd().split("\n");
      const again = lines.map((line, i) => (i === 0 ? line : " ".repeat(column) + line));
      return text.slice(0, start) + again.join(eol) + text.slice(last - kept.length);
    }
    if (at >= 0) {
      // The old entry's text, up to its line break, becomes the new entry's.
      return text.slice(0, start) + block(column) + text.slice(end - trailing.length);
    }
    const item = `${" ".repeat(dash)}-${" ".repeat(column - dash - 1)}${block(column)}`;
    return text.slice(0, end - trailing.length) + eol + item + text.slice(end - trailing.length);
  }
  const empty = value === null || (isScalar(value) && (value.value === null)) ||
    ((isSeq(value) || isMap(value)) && value.items.length === 0);
  if (!empty) return rewritten(text, doc, (d) => putEntry(d, list, entry, merge));
  // `users:`, `users: null`, `users: []`: the key's value becomes a block list of one.
  const keyEnd = (pair.key as Node).range![1];
  const valueEnd = value?.range?.[1] ?? keyEnd + 1;
  return `${text.slice(0, keyEnd)}:${eol}- ${block(2)}${text.slice(valueEnd)}`;
}

/** `text` with the top-level scalar `key` set to `value`, added last when absent. */
export function setTopLevelString(
  text: string,
  key: string,
  value: string,
  where = "The kubeconfig",
): string {
  const doc = parse(text, where);
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const line = stringify({ [key]: value }).trimEnd();
  if (doc.contents === null) return `${withEnd(text, eol)}${NEW_FILE}${line}${eol}`;
  const top = doc.contents as YAMLMap;
  const pair = top.items.find((item) => isScalar(item.key) && item.key.value === key) as
    | Pair<Node, Node | null>
    | undefined;
  if (top.flow || (pair?.value && !isScalar(pair.value))) {
    return rewritten(text, doc, (d) => d.set(key, value));
  }
  if (!pair) return `${withEnd(text, eol)}${line}${eol}`;
  const keyStart = (pair.key as Node).range![0];
  const valueEnd = pair.value?.range?.[1] ?? (pair.key as Node).range![1] + 1;
  return text.slice(0, keyStart) + line + text.slice(valueEnd);
}

/** The entry as block YAML whose lines after the first are indented by `indent`. */
function render(entry: NamedEntry, indent: number, eol: string): string {
  // kubectl's own layout: list items at their key's indentation; no line folding.
  const lines = stringify(entry, { indentSeq: false, lineWidth: 0 }).trimEnd().split("\n");
  return lines.map((line, i) => (i === 0 ? line : " ".repeat(indent) + line)).join(eol);
}

/** Where the line holding `offset` starts. */
function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

function withEnd(text: string, eol: string): string {
  return text === "" || text.endsWith("\n") ? text : text + eol;
}

/**
 * The document changed through the parser and written out whole (flow style, odd layouts):
 * as JSON when it was JSON (kubectl reads both), else by the parser's writer.
 */
function rewritten(text: string, doc: Document, change: (doc: Document) => void): string {
  change(doc);
  try {
    JSON.parse(text);
    return JSON.stringify(doc.toJS(), null, 2) + "\n";
  } catch {
    return doc.toString({ lineWidth: 0 });
  }
}

function putEntry(doc: Document, list: string, entry: NamedEntry, merge: boolean): void {
  let entries = doc.get(list, true);
  if (!isSeq(entries)) {
    entries = doc.createNode([]);
    doc.set(list, entries);
  }
  const items = (entries as { items: unknown[] }).items;
  const at = items.findIndex((item) => isMap(item) && item.get("name") === entry.name);
  if (at >= 0 && merge) setLeaves(items[at] as YAMLMap, entry);
  else if (at >= 0) items[at] = doc.createNode(entry);
  else items.push(doc.createNode(entry));
}

/** Sets every leaf of `values` (an array counts as one) in `node`, keeping the rest. */
function setLeaves(node: Node, values: Record<string, unknown>, path: string[] = []): void {
  for (const [key, value] of Object.entries(values)) {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      setLeaves(node, value as Record<string, unknown>, [...path, key]);
    } else {
      (node as YAMLMap).setIn([...path, key], value);
    }
  }
}
