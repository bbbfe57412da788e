/**
 * Writes cli/completion_spec.ts: the command tree's commands, options and arguments as
 * completion needs them, so that a TAB (`clauth complete -- ...`) is answered without
 * loading commander. Run it after changing the command tree:
 *
 *   deno task completion-spec
 *
 * tests/cli/completions_test.ts fails while the file is out of date.
 *
 * @module
 */

import type { Command, Option } from "@commander-js/extra-typings";
import type {
  ArgumentSpec,
  CommandSpec,
  CompletionSpec,
  CompletionValues,
  OptionSpec,
} from "../cli/completion_engine.ts";
import { addCompletions } from "../cli/completions.ts";
import { buildProgram } from "../cli/program.ts";
import type { Runtime } from "../cli/runtime.ts";
import type { Terminal } from "../cli/terminal.ts";
import { PRESETS } from "../flows/presets/registry.ts";
import { TOKEN_TYPE_NAMES } from "../cli/api_commands.ts";

const FILES = { source: "files" } as const;
const TEXT = { source: "text" } as const;
const choices = (...values: string[]): CompletionValues => ({
  choices: values.map((value) => [value, ""] as const),
});

/**
 * What option values are, where commander's choices do not say: profile names, paths (the
 * shell's own completion), presets, and values the servers define.
 */
const OPTION_VALUES: Record<string, CompletionValues> = {
  "--profile": { source: "profiles" },
  "--provider": { choices: PRESETS.map((preset) => [preset.name, preset.title] as const) },
  "--client-secret-file": FILES,
  "--private-key-file": FILES,
  "--ca-file": FILES,
  "--subject-token-file": FILES,
  "--actor-token-file": FILES,
  "--data": { source: "data" },
  // OIDC Core §3.1.2.1's prompt values.
  "--prompt": choices("login", "consent", "select_account", "none"),
  "--method": choices("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"),
  "--subject-token-type": choices(...TOKEN_TYPE_NAMES),
  "--actor-token-type": choices(...TOKEN_TYPE_NAMES),
  "--requested-token-type": choices(...TOKEN_TYPE_NAMES),
};

/** Arguments whose values are not commander's choices, by "command argument". */
const ARGUMENT_VALUES: Record<string, CompletionValues> = {
  "profile action": {
    choices: [
      ["list", "every profile, the default marked"],
      ["show", "a profile's settings"],
      ["use", "make a profile the default"],
      ["save", "save the global flags given as a profile"],
      ["remove", "remove a profile from config.json"],
      ["move", "move a profile's tokens: --to file or --to keyring"],
    ],
  },
  "profile name": { source: "profiles" },
  "exec command": FILES,
};

/** The command tree as completion sees it. */
export function renderCompletionSpec(): CompletionSpec {
  const program = programTree() as unknown as Command;
  const help = program.createHelp();
  const visible = help.visibleCommands(program);
  // `clauth help COMMAND` takes the name of any other command.
  const commandNames = visible.filter((c) => c.name() !== "help").map((c) =>
    [c.name(), c.description()] as const
  );
  const commands = visible.map((command): CommandSpec => ({
    name: command.name(),
    description: command.description(),
    options: help.visibleOptions(command).map(optionSpec),
    args: command.registeredArguments.map((argument): ArgumentSpec => ({
      name: argument.name(),
      values: command.name() === "help"
        ? { choices: commandNames }
        : argument.argChoices
        ? choices(...argument.argChoices)
        : ARGUMENT_VALUES[`${command.name()} ${argument.name()}`] ?? TEXT,
      ...(argument.variadic ? { variadic: true } : {}),
    })),
  }));
  return { options: help.visibleOptions(program).map(optionSpec), commands };
}

function optionSpec(option: Option): OptionSpec {
  const long = option.long ?? option.flags;
  const takesValue = option.required || option.optional;
  return {
    long,
    ...(option.short ? { short: option.short } : {}),
    description: option.description,
    ...(takesValue
      ? {
        values: option.argChoices ? choices(...option.argChoices) : OPTION_VALUES[long] ?? TEXT,
      }
      : {}),
    ...(Array.isArray(option.defaultValue) || option.variadic ? { repeatable: true } : {}),
  };
}

/** The command tree, as cli/run.ts builds it (nothing is printed or run). */
function programTree() {
  // The tree writes only help and usage errors, and no command runs here.
  const terminal = { out: () => Promise.resolve(), info: () => {} } as unknown as Terminal;
  const runtime = { stdout: { columns: 80 }, stderr: {} } as Runtime;
  const program = buildProgram(
    { runtime, terminal, signal: new AbortController().signal },
    () => {},
  );
  addCompletions(program);
  return program;
}

/**
 * The text of cli/completion_spec.ts for `spec`: one option or argument a line (the file is
 * left out of deno fmt, which would give every value a line of its own).
 */
export function completionSpecModule(spec: CompletionSpec): string {
  const list = (items: readonly unknown[], indent: string) =>
    items.length === 0
      ? "[]"
      : `[\n${items.map((item) => `${indent}  ${JSON.stringify(item)},\n`).join("")}${indent}]`;
  const commands = spec.commands.map(({ name, description, options, args }) =>
    `    {\n      name: ${JSON.stringify(name)},\n      description: ${
      JSON.stringify(description)
    },\n      options: ${list(options, "      ")},\n      args: ${list(args, "      ")},\n    },\n`
  ).join("");
  return `// deno-fmt-ignore-file
/**
 * The command tree as completion sees it, read by \`clauth complete\` without loading
 * commander (cli/completions.ts). Generated by release/completion_spec.ts from the command
 * tree (\`deno task completion-spec\`): do not edit.
 *
 * @module
 */

import type { CompletionSpec } from "./completion_engine.ts";

/** Commands, options, arguments and the values they take. */
export const COMPLETION_SPEC: CompletionSpec = {
  options: ${list(spec.options, "  ")},
  commands: [\n${commands}  ],
};
`;
}

if (import.meta.main) {
  const path = new URL("../cli/completion_spec.ts", import.meta.url);
  await Deno.writeTextFile(path, completionSpecModule(renderCompletionSpec()));
  console.log("wrote cli/completion_spec.ts");
}
