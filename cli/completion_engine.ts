/**
 * What a TAB offers: the candidates for the word under the cursor, worked out from the
 * command line so far and a description of the command tree written ahead
 * (cli/completion_spec.ts), so that answering a shell loads neither commander nor any
 * command. The shell scripts (cli/completion_scripts.ts) pass the words and show the answer.
 *
 * @module
 */

/** What an option or argument takes, for completion. */
export type CompletionValues =
  /** One of these values, each with a description (may be ""). */
  | { choices: readonly (readonly [value: string, description: string])[] }
  /** A profile name: config.json's, and those with stored tokens. */
  | { source: "profiles" }
  /** A path, completed by the shell itself. */
  | { source: "files" }
  /** `--data`: TEXT, - or @FILE; only a word starting with "@" is completed (a path). */
  | { source: "data" }
  /** Anything: nothing to offer (no file paths either). */
  | { source: "text" };

/** An option of the command tree. */
export interface OptionSpec {
  /** "--profile". */
  long: string;
  /** "-H", when the option has one. */
  short?: string;
  description: string;
  /** What its value is; absent for a flag. */
  values?: CompletionValues;
  /** Given more than once (`--resource A --resource B`): offered again after use. */
  repeatable?: boolean;
}

/** A positional argument of a command. */
export interface ArgumentSpec {
  name: string;
  values: CompletionValues;
  /** Takes every word from here on (exec's command). */
  variadic?: boolean;
}

/** A subcommand. */
export interface CommandSpec {
  name: string;
  description: string;
  options: readonly OptionSpec[];
  args: readonly ArgumentSpec[];
}

/** The command tree as completion sees it. */
export interface CompletionSpec {
  /** The program's own options: global ones, plus --help and --version. */
  options: readonly OptionSpec[];
  commands: readonly CommandSpec[];
}

/** The answer for one TAB. */
export interface Completion {
  /** Candidates for the current word, with a description each (may be ""). */
  candidates: [value: string, description: string][];
  /**
   * When set, the shell completes a path too: the current word without `prefix` (which
   * each path gets back), e.g. "@" for `--data @FILE`, "--ca-file=" for `--ca-file=PATH`.
   */
  files?: { prefix: string };
}

/** Where values that change come from: read only when a TAB needs them. */
export interface CompletionSources {
  /** Profile names, with a description each. */
  profiles(): Promise<[name: string, description: string][]>;
}

/** Options that belong to the program alone, never offered after a command. */
const PROGRAM_ONLY = new Set(["--version", "-V"]);

/**
 * Completes the last of `words` (the arguments after the program name; the last one is the
 * word under the cursor, "" after a space) the way the command tree would parse the line:
 * global options are offered before and after a command, a command's options after it, an
 * option's values after it (or after `--option=`), and a command's arguments in their places.
 * Candidates start with the current word. PowerShell's legacy argument passing cannot pass an
 * empty argument, so its script passes `""` for one.
 */
export async function completeWords(
  spec: CompletionSpec,
  words: readonly string[],
  sources: CompletionSources,
): Promise<Completion> {
  const before = words.slice(0, -1);
  const raw = words.at(-1) ?? "";
  const current = raw === '""' ? "" : raw;
  let command: CommandSpec | undefined;
  let positional = 0;
  let afterDashDash = false;
  const used = new Set<string>();
  const find = (name: string) =>
    command?.options.find((o) => o.long === name || o.short === name) ??
      spec.options.find((o) => o.long === name || o.short === name);

  for (let i = 0; i < before.length; i++) {
    const word = before[i]!;
    if (afterDashDash) {
      positional++;
    } else if (word === "--") {
      afterDashDash = true;
    } else if (word.startsWith("-") && word !== "-") {
      const option = find(word.split("=", 1)[0]!);
      if (!option) continue; // not ours (a token starting with "-"): no value follows
      used.add(option.long);
      if (option.values && !word.includes("=")) {
        // The next word is this option's value: the current word, or one already typed.
        if (i + 1 === before.length) return await valuesOf(option.values, current, "", sources);
        i++;
      }
    } else if (!command) {
      command = spec.commands.find((c) => c.name === word);
      if (!command) return { candidates: [] }; // not a command: nothing sensible to offer
    } else {
      positional++;
    }
  }

  if (!afterDashDash && current.startsWith("--") && current.includes("=")) {
    const name = current.slice(0, current.indexOf("="));
    const values = find(name)?.values;
    if (!values) return { candidates: [] };
    return await valuesOf(values, current.slice(name.length + 1), `${name}=`, sources);
  }
  if (!afterDashDash && current.startsWith("-")) {
    const options = command
      ? [...spec.options.filter((o) => !PROGRAM_ONLY.has(o.long)), ...command.options]
      : spec.options;
    const offered = new Map<string, string>();
    for (const option of options) {
      if (used.has(option.long) && !option.repeatable) continue;
      if (option.long.startsWith(current) && !offered.has(option.long)) {
        offered.set(option.long, option.description);
      }
    }
    return { candidates: [...offered] };
  }
  if (!command) {
    return {
      candidates: spec.commands.filter((c) => c.name.startsWith(current)).map((
        c,
      ) => [c.name, c.description]),
    };
  }
  const args = command.args;
  const last = args.at(-1);
  const argument = positional < args.length ? args[positional] : last?.variadic ? last : undefined;
  return argument ? await valuesOf(argument.values, current, "", sources) : { candidates: [] };
}

/** The candidates `values` give for `word`, each preceded by `prefix` ("--option="). */
async function valuesOf(
  values: CompletionValues,
  word: string,
  prefix: string,
  sources: CompletionSources,
): Promise<Completion> {
  if ("choices" in values) return { candidates: matching(values.choices, word, prefix) };
  switch (values.source) {
    case "profiles":
      return { candidates: matching(await sources.profiles(), word, prefix) };
    case "files":
      return { candidates: [], files: { prefix } };
    case "data":
      return word.startsWith("@") ? { candidates: [], files: { prefix: `${prefix}@` } } : {
        candidates: [],
      };
    case "text":
      return { candidates: [] };
  }
}

function matching(
  choices: readonly (readonly [string, string])[],
  word: string,
  prefix: string,
): [string, string][] {
  return choices.filter(([value]) => value.startsWith(word)).map((
    [value, description],
  ) => [prefix + value, description]);
}

/**
 * The answer as the shell scripts read it: one candidate a line, `VALUE<TAB>DESCRIPTION`
 * (descriptions on one line, without tabs), then `:files PREFIX` when the shell should
 * complete a path.
 */
export function completionText(completion: Completion): string {
  const lines = completion.candidates.map(([value, description]) => {
    const oneLine = description.replace(/\s+/g, " ").trim();
    return oneLine ? `${value}\t${oneLine}` : value;
  });
  if (completion.files) lines.push(`:files ${completion.files.prefix}`.trimEnd());
  return lines.length ? `${lines.join("\n")}\n` : "";
}
