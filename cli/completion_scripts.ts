/**
 * The shell scripts `clauth completions SHELL` prints. Each one sends the words typed so far
 * to `clauth complete -- WORD... CURRENT` and shows what it answers (cli/completion_engine.ts
 * `completionText`): `VALUE<TAB>DESCRIPTION` lines, and `:files PREFIX` when the shell should
 * complete a path itself (after PREFIX, which the path keeps).
 *
 * Written here rather than taken from @bomb.sh/tab: its bash script needs the bash-completion
 * package (`_get_comp_words_by_ref`), and its answers need commander loaded.
 *
 * @module
 */

/** The shells clauth prints completion scripts for. */
export const COMPLETION_SHELLS = ["zsh", "bash", "fish", "powershell"] as const;
/** One of {@link COMPLETION_SHELLS}. */
export type CompletionShell = typeof COMPLETION_SHELLS[number];

/** Whether `name` is one of {@link COMPLETION_SHELLS}. */
export function isCompletionShell(name: string | undefined): name is CompletionShell {
  return (COMPLETION_SHELLS as readonly (string | undefined)[]).includes(name);
}

/** The completion script for `shell`. */
export function completionScript(shell: CompletionShell): string {
  return SCRIPTS[shell];
}

// Plain bash (3.2 and later): nothing from the bash-completion package, which may be absent.
const BASH =
  `# bash completion for clauth, printed by "clauth completions bash". It needs bash alone
# (the bash-completion package is optional). For this shell:
#   source <(clauth completions bash)
# For good: save it as ~/.local/share/bash-completion/completions/clauth, which the
# bash-completion package loads, or anywhere and source it from ~/.bashrc.

_clauth() {
    local line word rest i n
    local -a words=()
    local breaks="\${COMP_WORDBREAKS//[[:space:]\\"\\']/}" kept=""
    if [[ -n "\${COMP_LINE-}" ]]; then
        line="\${COMP_LINE:0:COMP_POINT}"
    else
        # Called with COMP_WORDS alone (by hand, or a test): rebuild the line; a word made
        # only of COMP_WORDBREAKS characters ("=", ":") touches its neighbours.
        local space=""
        for (( i = 0; i <= COMP_CWORD; i++ )); do
            word="\${COMP_WORDS[i]}"
            if [[ -n "$word" && -n "$breaks" && -z "\${word//[$breaks]/}" ]]; then
                line="$line$word"; space=""
            else
                line="$line$space$word"; space=" "
            fi
        done
    fi
    # Bash splits words at COMP_WORDBREAKS characters (--output=json, https://...): join the
    # pieces that touch back into the words clauth sees, the current one up to the cursor.
    for (( i = 0; i <= COMP_CWORD; i++ )); do
        word="\${COMP_WORDS[i]}"
        rest="\${line#"\${line%%[![:space:]]*}"}"
        if (( i == COMP_CWORD )); then word="$rest"; fi
        n=\${#words[@]}
        if (( i > 1 )) && [[ "$rest" == "$line" ]]; then
            words[n-1]="\${words[n-1]}$word"
        elif (( i > 0 )); then
            words[n]="$word"
        fi
        line="\${rest#"$word"}"
    done
    local cur="\${words[\${#words[@]}-1]}"
    # Readline replaces only what follows the last COMP_WORDBREAKS character of the word,
    # but keeps an "@" or "$" there in what it replaces (bash's rl_special_prefixes).
    if [[ -n "$breaks" ]]; then kept="\${cur%"\${cur##*[$breaks]}"}"; fi
    if [[ "$kept" == *[@\\$] ]]; then kept="\${kept%?}"; fi

    local out
    out="$(clauth complete -- "\${words[@]}" 2>/dev/null)" || return 0
    COMPREPLY=()
    local files="" prefix="" value
    while IFS= read -r line; do
        case "$line" in
            ":files"*) files=1; prefix="\${line#:files}"; prefix="\${prefix# }" ;;
            ?*) value="\${line%%$'\\t'*}"; COMPREPLY+=("\${value#"$kept"}") ;;
        esac
    done <<< "$out"
    if [[ -n "$files" ]]; then
        # The path as typed, unquoted enough for compgen: my\\ dir, "my dir, 'my dir.
        local path lead="\${prefix#"$kept"}" typed="\${cur#"$prefix"}"
        typed="\${typed//\\\\/}"; typed="\${typed#[\\"\\']}"
        while IFS= read -r path; do
            [[ -n "$path" ]] || continue
            if [[ -n "$lead" ]]; then
                # After a prefix readline cannot tell a path: quote it, end a folder with "/".
                if [[ -d "$path" ]]; then path="$path/"; fi
                path="$(printf '%q' "$path")"
            fi
            value="$prefix$path"
            COMPREPLY+=("\${value#"$kept"}")
        done <<< "$(compgen -f -- "$typed")"
        if [[ -z "$lead" ]]; then
            # Plain paths: readline quotes them and ends a folder's name with "/".
            compopt -o filenames 2>/dev/null
        elif [[ \${#COMPREPLY[@]} -eq 1 && "\${COMPREPLY[0]}" == */ ]]; then
            compopt -o nospace 2>/dev/null
        fi
    fi
    return 0
}
complete -F _clauth clauth
`;

// zsh's completion system (compinit): _describe for values with descriptions, _files for paths.
const ZSH = `#compdef clauth
# zsh completion for clauth, printed by "clauth completions zsh". For this shell, after
# compinit:
#   source <(clauth completions zsh)
# For good: save it as _clauth in a folder of $fpath, before compinit runs:
#   clauth completions zsh > "\${fpath[1]}/_clauth"

_clauth() {
    local -a described
    local line prefix="" files=0
    # The words from the first argument to the cursor's, unquoted as clauth will get them.
    for line in "\${(@f)$(clauth complete -- "\${(@Q)words[2,CURRENT]}" 2>/dev/null)}"; do
        case "$line" in
            (:files*) files=1; prefix="\${\${line#:files}# }" ;;
            # _describe reads "value:description", with any ":" of the value escaped.
            (?*) line="\${line//:/\\\\:}"; described+=("\${line/$'\\t'/:}") ;;
        esac
    done
    if (( files )); then
        [[ -n "$prefix" ]] && compset -P "\${(b)prefix}"
        _files
    elif (( \${#described} )); then
        _describe -t values value described
    else
        return 1
    fi
}

# Loaded from $fpath, this file is _clauth's body: run it. Sourced, register it.
if [[ "\${funcstack[1]}" == _clauth ]]; then
    _clauth "$@"
else
    compdef _clauth clauth
fi
`;

// fish 3 and later: `complete -f` leaves paths to the answer's ":files" line.
const FISH = `# fish completion for clauth, printed by "clauth completions fish". For this shell:
#   clauth completions fish | source
# For good:
#   clauth completions fish > ~/.config/fish/completions/clauth.fish

function __clauth_complete
    # The words from the first argument to the cursor's, unquoted as clauth will get them.
    set -l words (commandline -opc)
    set -e words[1]
    set -l current (commandline -ct | string unescape)
    for line in (clauth complete -- $words "$current" 2>/dev/null)
        if string match -q -- ':files*' "$line"
            # A path, after a prefix it keeps ("@" for --data @FILE).
            set -l prefix (string replace -r '^:files ?' '' -- "$line")
            set -l start (math (string length -- "$prefix") + 1)
            for path in (__fish_complete_path (string sub -s $start -- "$current"))
                printf '%s%s\\n' "$prefix" "$path"
            end
        else
            printf '%s\\n' "$line"
        end
    end
end

complete -c clauth -f -a '(__clauth_complete)'
`;

// PowerShell 5.1 and 7: a native command's argument completer.
const POWERSHELL =
  `# PowerShell completion for clauth, printed by "clauth completions powershell". For this
# session:
#   clauth completions powershell | Out-String | Invoke-Expression
# For good, add that line to your $PROFILE.

Register-ArgumentCompleter -Native -CommandName clauth -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    # The words from the first argument to the cursor's, unquoted as clauth will get them.
    $words = @($commandAst.CommandElements | Select-Object -Skip 1 |
        Where-Object { $_.Extent.StartOffset -lt $cursorPosition } |
        ForEach-Object {
            if ($_ -is [System.Management.Automation.Language.StringConstantExpressionAst]) {
                $_.Value
            } else {
                $_.Extent.Text
            }
        })
    $current = $wordToComplete
    if ($current -eq '') {
        # Older PowerShell drops an empty argument: clauth reads '""' as the empty word.
        $words += '""'
    } elseif ($words.Count -gt 0) {
        $current = $words[-1]
    }
    $files = $null
    $results = @(foreach ($line in @(& clauth complete '--' @words 2>$null)) {
        if ($line -like ':files*') {
            $files = $line.Substring(6).TrimStart(' ')
            continue
        }
        $value, $description = $line -split "\`t", 2
        if (-not $description) { $description = $value }
        [System.Management.Automation.CompletionResult]::new(
            $value, $value, 'ParameterValue', $description)
    })
    if ($null -ne $files) {
        $rest = $current.Substring([Math]::Min($files.Length, $current.Length))
        foreach ($path in [System.Management.Automation.CompletionCompleters]::CompleteFilename($rest)) {
            $text = $path.CompletionText
            if ($files -ne '') {
                # "@x" would be splatting: quote the whole word.
                $text = $files + ($text -replace "^'(.*)'$", '$1' -replace "''", "'")
                $text = "'" + ($text -replace "'", "''") + "'"
            }
            $results += [System.Management.Automation.CompletionResult]::new(
                $text, $path.ListItemText, $path.ResultType, $path.ToolTip)
        }
    }
    if ($results.Count -eq 0 -and $null -eq $files) {
        # Nothing to offer: say so, or PowerShell would offer file names.
        return ''
    }
    $results
}
`;

const SCRIPTS: Record<CompletionShell, string> = {
  bash: BASH,
  zsh: ZSH,
  fish: FISH,
  powershell: POWERSHELL,
};
