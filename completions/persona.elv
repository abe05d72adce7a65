
use builtin;
use str;

set edit:completion:arg-completer[persona] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'persona'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'persona'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand auth 'Log in to a Persona API, and see which key and workspace each profile uses'
            cand chat 'Talk to a persona: one message, or an interactive session'
            cand personas 'Create, read, version and edit personas'
            cand runs 'Follow and manage generation runs'
            cand mcp 'Bridge MCP hosts (Claude Desktop, Cursor, ...) to personas over stdio, and configure them'
            cand webhooks 'Receive signed events: endpoints, deliveries and replays, `listen` for local development'
            cand dev 'Run the embedded Persona API for other programs, and manage its keys'
            cand api 'Call any endpoint of the API with the profile''s key: paging, event streams and jq built in'
            cand completion 'Print the script that completes commands and live names in a shell'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'persona;auth'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand login 'Log in to a Persona API and store the key in the OS keyring'
            cand status 'Show every profile: API, workspace, key source, expiry, and whether the server accepts it'
            cand token 'Print the active profile''s API key (for scripts)'
            cand switch 'Make another profile the active one'
            cand logout 'Revoke the key on the server and forget it here'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'persona;auth;login'= {
            cand --api-url 'The API to log in to (default: the profile''s, else the hosted API)'
            cand --workspace 'The workspace to ask access to'
            cand --scopes 'Comma-separated scopes to ask for (default: every scope the CLI''s commands use)'
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --no-browser 'Never open a browser; print the URL to open on any device'
            cand --with-key 'Log in with an API key instead: pasted at a hidden prompt on a terminal, else read from standard input (never from the command line)'
            cand --insecure-storage 'Store the key in a credentials file (mode 0600) instead of the OS keyring'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;auth;status'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;auth;token'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;auth;switch'= {
            cand --color 'When to use colour'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;auth;logout'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --all 'Log out of every stored profile'
            cand --local 'Forget the key here without revoking it on the server (it stays valid there)'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;auth;help'= {
            cand login 'Log in to a Persona API and store the key in the OS keyring'
            cand status 'Show every profile: API, workspace, key source, expiry, and whether the server accepts it'
            cand token 'Print the active profile''s API key (for scripts)'
            cand switch 'Make another profile the active one'
            cand logout 'Revoke the key on the server and forget it here'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'persona;auth;help;login'= {
        }
        &'persona;auth;help;status'= {
        }
        &'persona;auth;help;token'= {
        }
        &'persona;auth;help;switch'= {
        }
        &'persona;auth;help;logout'= {
        }
        &'persona;auth;help;help'= {
        }
        &'persona;chat'= {
            cand -m 'Send this one message and print the reply (without it, a pipe on stdin is the message)'
            cand --message 'Send this one message and print the reply (without it, a pipe on stdin is the message)'
            cand --conversation 'Continue this conversation instead of starting a new one'
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --show-drift 'Print the drift scores (voice, values, verdict) and coherence after each reply'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;personas'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand create 'Generate a persona from a brief, watching the run live'
            cand list 'List the workspace''s personas, newest first'
            cand get 'Show one persona by id, slug or slug@vN'
            cand versions 'List a persona''s versions'
            cand fork 'Fork a persona, optionally refining it with a new intent'
            cand archive 'Archive a persona (hidden from lists unless --archived; it keeps its slug)'
            cand unarchive 'Bring an archived persona back into lists'
            cand pull 'Write a persona, or every persona (--all), to YAML working copies'
            cand push 'Send the edits of YAML working copies to the server'
            cand diff 'Show how a working copy differs from the server'
            cand edit 'Edit a persona in your editor and push the result'
            cand status 'Show where each working copy and brief of a folder stands against the workspace'
            cand apply 'Make the workspace hold what a folder of briefs and working copies says: plan, then apply'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'persona;personas;create'= {
            cand -f 'The brief: a Markdown file or a pipe (`<(cat brief.md)`), or `-` for standard input'
            cand --file 'The brief: a Markdown file or a pipe (`<(cat brief.md)`), or `-` for standard input'
            cand --intent 'The character brief as text, instead of a file'
            cand --language 'Primary speaking language (ISO-639-1, e.g. en, tr)'
            cand --visibility 'Who can see the persona'
            cand --pipeline 'The generation pipeline (e.g. default, strict-audit)'
            cand --seed 'Reproducibility seed: the same brief and seed give the same persona'
            cand --budget-usd 'Hard cost cap in US dollars, a positive number; the run stops before a step that would take its cost over it'
            cand --slug 'The persona''s slug (default: derived from the generated persona)'
            cand -o 'Also write the persona''s YAML working copy to this file'
            cand --output 'Also write the persona''s YAML working copy to this file'
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --no-wait 'Print the run id and return at once; the run goes on (follow it with `persona runs tail`)'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;personas;list'= {
            cand -Q 'Only personas whose slug, name, occupation or intent contains this text'
            cand --query 'Only personas whose slug, name, occupation or intent contains this text'
            cand --visibility 'Only personas with this visibility'
            cand --status 'Only personas with these statuses, separated by commas, or `all` [default: queued, running, completed]'
            cand --limit 'How many to list (1 to 100; with --all, the page size)'
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --archived 'List archived personas instead'
            cand --all 'Follow every page to the end'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;personas;get'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --yaml 'Print the persona as a YAML working copy'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;personas;versions'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'persona;personas;fork'= {
            cand --intent 'A refinement: the fork''s layers are rewritten under it'
            cand --slug 'The fork''s slug (default: the parent''s with -fork)'
            cand --visibility 'The fork''s visibility (default: the parent''s)'
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;personas;archive'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'persona;personas;unarchive'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;personas;pull'= {
            cand -d 'With --all: the folder to write to (created when missing)'
            cand --dir 'With --all: the folder to write to (created when missing)'
            cand -o 'The file to write (default: <slug>.yml); `-` prints the YAML on stdout'
            cand --output 'The file to write (default: <slug>.yml); `-` prints the YAML on stdout'
            cand --version 'Pull this past version instead of the current one'
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --all 'Pull every persona the key can see (not archived ones, unless --archived)'
            cand --archived 'With --all: archived personas too'
            cand --force 'Overwrite files even if they have local edits'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;personas;push'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --force 'Push even if the persona changed on the server since the pull, overwriting those changes'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;personas;diff'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --exit-code 'Exit with 1 when the file''s editable fields differ from the server''s'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;personas;edit'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;personas;status'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --exit-code 'Exit with 1 when any file is not up to date'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;personas;apply'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand -y 'Apply without asking (needed when there is no terminal to ask on, and with --json)'
            cand --yes 'Apply without asking (needed when there is no terminal to ask on, and with --json)'
            cand --dry-run 'Print the plan and change nothing: exit 0 when there is nothing to do, 2 when there is'
            cand --prune 'Also archive the workspace''s personas that no file names'
            cand --force 'Apply working copies in conflict too, overwriting the changes made on the server'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;personas;help'= {
            cand create 'Generate a persona from a brief, watching the run live'
            cand list 'List the workspace''s personas, newest first'
            cand get 'Show one persona by id, slug or slug@vN'
            cand versions 'List a persona''s versions'
            cand fork 'Fork a persona, optionally refining it with a new intent'
            cand archive 'Archive a persona (hidden from lists unless --archived; it keeps its slug)'
            cand unarchive 'Bring an archived persona back into lists'
            cand pull 'Write a persona, or every persona (--all), to YAML working copies'
            cand push 'Send the edits of YAML working copies to the server'
            cand diff 'Show how a working copy differs from the server'
            cand edit 'Edit a persona in your editor and push the result'
            cand status 'Show where each working copy and brief of a folder stands against the workspace'
            cand apply 'Make the workspace hold what a folder of briefs and working copies says: plan, then apply'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'persona;personas;help;create'= {
        }
        &'persona;personas;help;list'= {
        }
        &'persona;personas;help;get'= {
        }
        &'persona;personas;help;versions'= {
        }
        &'persona;personas;help;fork'= {
        }
        &'persona;personas;help;archive'= {
        }
        &'persona;personas;help;unarchive'= {
        }
        &'persona;personas;help;pull'= {
        }
        &'persona;personas;help;push'= {
        }
        &'persona;personas;help;diff'= {
        }
        &'persona;personas;help;edit'= {
        }
        &'persona;personas;help;status'= {
        }
        &'persona;personas;help;apply'= {
        }
        &'persona;personas;help;help'= {
        }
        &'persona;runs'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'List runs, newest first'
            cand get 'Show a run: steps, tokens, cost, timing and error'
            cand cancel 'Cancel a queued or running run'
            cand tail 'Follow a run''s events live, replaying from the start; survives dropped connections'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'persona;runs;list'= {
            cand --persona 'Only runs of this persona (id or slug)'
            cand --status 'Only runs with this status'
            cand --limit 'How many to list (1 to 100; with --all, the page size)'
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --all 'Follow every page to the end'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;runs;get'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;runs;cancel'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;runs;tail'= {
            cand --since 'Start after this event id instead of replaying from the start'
            cand --filter 'Show only events of this type (repeatable), e.g. step.completed'
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --exit-status 'Exit with 8 when the run ended failed or canceled'
            cand --render 'Draw the persona as it fills in, applying each JSON patch: redrawn in place on a terminal; piped, a YAML document per change'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;runs;help'= {
            cand list 'List runs, newest first'
            cand get 'Show a run: steps, tokens, cost, timing and error'
            cand cancel 'Cancel a queued or running run'
            cand tail 'Follow a run''s events live, replaying from the start; survives dropped connections'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'persona;runs;help;list'= {
        }
        &'persona;runs;help;get'= {
        }
        &'persona;runs;help;cancel'= {
        }
        &'persona;runs;help;tail'= {
        }
        &'persona;runs;help;help'= {
        }
        &'persona;mcp'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand serve 'Bridge an MCP host on stdio to the Persona MCP server'
            cand config 'Print (or install) the configuration that makes an MCP host start the bridge'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'persona;mcp;serve'= {
            cand --workspace 'The workspace whose personas the host sees (default: PERSONA_WORKSPACE, else the profile''s)'
            cand --url 'The MCP server (default: the profile''s; on `local`, the embedded server''s /mcp)'
            cand --transport 'How to reach the server: `auto` tries Streamable HTTP, then the older HTTP+SSE transport'
            cand --tool-names '`safe` renames tools to ^[a-zA-Z0-9_-]{1,64}$ for hosts that refuse dots (persona.invoke → persona_invoke); `original` keeps the server''s names'
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;mcp;config'= {
            cand --client 'The MCP host to configure'
            cand --workspace 'The workspace the bridge exposes (default: the profile''s when the bridge starts)'
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --install 'Merge the entry into the host''s config file instead of printing it'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;mcp;help'= {
            cand serve 'Bridge an MCP host on stdio to the Persona MCP server'
            cand config 'Print (or install) the configuration that makes an MCP host start the bridge'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'persona;mcp;help;serve'= {
        }
        &'persona;mcp;help;config'= {
        }
        &'persona;mcp;help;help'= {
        }
        &'persona;webhooks'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand listen 'Forward the workspace''s events to a local URL as they happen, signed as in production'
            cand verify 'Check a captured delivery (signature header and body) against a signing secret'
            cand list 'List webhook endpoints, newest first'
            cand create 'Create an endpoint; prints its signing secret, which is shown this once'
            cand delete 'Delete an endpoint with its deliveries'
            cand test 'Send a webhook.test event to an endpoint and show how it answered'
            cand deliveries 'List deliveries, newest first; `--status failed` is the dead-letter queue'
            cand replay 'Deliver a delivery''s event again: a dead-lettered one, or one a handler mishandled'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'persona;webhooks;listen'= {
            cand --forward-to 'The local URL each event is POSTed to'
            cand --events 'Only these event types, comma-separated (default: all)'
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --print-secret 'Print the signing secret (whsec_...) as the first line on stdout'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;webhooks;verify'= {
            cand --secret 'The endpoint''s signing secret, whsec_...'
            cand --header 'The signature header as received: ''Persona-Signature: t=...,v1=...'' or ''t=...,v1=...'''
            cand --tolerance 'Largest accepted distance of the signature''s timestamp from now, in seconds'
            cand --color 'When to use colour'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;webhooks;list'= {
            cand --limit 'How many to list (1 to 100; with --all, the page size)'
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --all 'Follow every page to the end'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;webhooks;create'= {
            cand --url 'Where to POST events: an http or https URL'
            cand --events 'Event types to send, comma-separated (default: all), e.g. persona.created,run.failed'
            cand --description 'A note that tells this endpoint apart'
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;webhooks;delete'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;webhooks;test'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --no-wait 'Return at once instead of waiting for the first attempt'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;webhooks;deliveries'= {
            cand --status 'Only deliveries with this status (failed: the dead-letter queue)'
            cand --endpoint 'Only deliveries to this endpoint (whk_...)'
            cand --limit 'How many to list (1 to 100; with --all, the page size)'
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --all 'Follow every page to the end'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;webhooks;replay'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --no-wait 'Return at once instead of waiting for the first attempt'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;webhooks;help'= {
            cand listen 'Forward the workspace''s events to a local URL as they happen, signed as in production'
            cand verify 'Check a captured delivery (signature header and body) against a signing secret'
            cand list 'List webhook endpoints, newest first'
            cand create 'Create an endpoint; prints its signing secret, which is shown this once'
            cand delete 'Delete an endpoint with its deliveries'
            cand test 'Send a webhook.test event to an endpoint and show how it answered'
            cand deliveries 'List deliveries, newest first; `--status failed` is the dead-letter queue'
            cand replay 'Deliver a delivery''s event again: a dead-lettered one, or one a handler mishandled'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'persona;webhooks;help;listen'= {
        }
        &'persona;webhooks;help;verify'= {
        }
        &'persona;webhooks;help;list'= {
        }
        &'persona;webhooks;help;create'= {
        }
        &'persona;webhooks;help;delete'= {
        }
        &'persona;webhooks;help;test'= {
        }
        &'persona;webhooks;help;deliveries'= {
        }
        &'persona;webhooks;help;replay'= {
        }
        &'persona;webhooks;help;help'= {
        }
        &'persona;dev'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand serve 'Run the embedded Persona API on a local address'
            cand keys 'Manage API keys of the local store'
            cand signin-url 'Print a new one-time link that signs a browser in to approve device logins'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'persona;dev;serve'= {
            cand --addr 'Address to listen on; port 0 picks a free port'
            cand --data-dir 'The store''s directory (default: PERSONA_DATA_DIR, else the platform data directory)'
            cand --plan 'The plan whose rate limits apply'
            cand --rate-window 'Length of the rate-limit window in seconds'
            cand --step-delay-ms 'Pause after each pipeline step, in milliseconds, to watch runs live (default: PERSONA_STEP_DELAY_MS, else 0)'
            cand --keepalive 'Seconds of idle time before an event stream sends a keepalive comment'
            cand --device-code-ttl 'Seconds a device login code (`persona auth login`) stays usable'
            cand --device-poll-interval 'Least number of seconds between two polls of one device login code'
            cand --webhook-retry-schedule 'Seconds between the attempts of a webhook delivery (one attempt more than waits, each wait give or take 20%), then the dead-letter queue'
            cand --retention-days 'Days webhook events and their deliveries are kept once delivered or dead-lettered (and can be replayed); events no webhook or listen stream wants are not kept at all'
            cand --color 'When to use colour'
            cand --allow-private-webhooks 'Deliver webhooks to loopback and private-network addresses even when listening on another address than loopback (link-local and metadata addresses stay refused)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;dev;keys'= {
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand create 'Create a key and print it once'
            cand approve 'Approve a waiting device login (`persona auth login`) by its code, without a browser'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'persona;dev;keys;create'= {
            cand --workspace 'The workspace (created if new)'
            cand --mode 'Live or test key; must match the workspace''s mode (default: the workspace''s, else test)'
            cand --scopes 'Comma-separated scopes, `group:*` allowed (default: every scope)'
            cand --owner 'The person the key belongs to: keys of one owner share their private personas'
            cand --expires-in-days 'Days until the key expires'
            cand --data-dir 'The store''s directory (default: PERSONA_DATA_DIR, else the platform data directory)'
            cand --color 'When to use colour'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;dev;keys;approve'= {
            cand --data-dir 'The store''s directory (default: PERSONA_DATA_DIR, else the platform data directory)'
            cand --color 'When to use colour'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;dev;keys;help'= {
            cand create 'Create a key and print it once'
            cand approve 'Approve a waiting device login (`persona auth login`) by its code, without a browser'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'persona;dev;keys;help;create'= {
        }
        &'persona;dev;keys;help;approve'= {
        }
        &'persona;dev;keys;help;help'= {
        }
        &'persona;dev;signin-url'= {
            cand --addr 'The address the server listens on, as `persona dev serve --addr` got it'
            cand --data-dir 'The server''s store directory (default: PERSONA_DATA_DIR, else the platform data directory)'
            cand --color 'When to use colour'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;dev;help'= {
            cand serve 'Run the embedded Persona API on a local address'
            cand keys 'Manage API keys of the local store'
            cand signin-url 'Print a new one-time link that signs a browser in to approve device logins'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'persona;dev;help;serve'= {
        }
        &'persona;dev;help;keys'= {
            cand create 'Create a key and print it once'
            cand approve 'Approve a waiting device login (`persona auth login`) by its code, without a browser'
        }
        &'persona;dev;help;keys;create'= {
        }
        &'persona;dev;help;keys;approve'= {
        }
        &'persona;dev;help;signin-url'= {
        }
        &'persona;dev;help;help'= {
        }
        &'persona;api'= {
            cand -X 'The HTTP method (default GET, or POST when fields or --input are given)'
            cand --method 'The HTTP method (default GET, or POST when fields or --input are given)'
            cand -f 'A string field KEY=VALUE of the JSON body (of the query for GET); `key[sub]=v` nests'
            cand --raw-field 'A string field KEY=VALUE of the JSON body (of the query for GET); `key[sub]=v` nests'
            cand -F 'A typed field: numbers, true, false and null as JSON, @FILE for a file''s text (@- stdin)'
            cand --field 'A typed field: numbers, true, false and null as JSON, @FILE for a file''s text (@- stdin)'
            cand --input 'Send FILE (- for stdin) as the body, as it is; fields then go to the query'
            cand -H 'Add a header `Name: value` (repeatable); the profile''s key is sent, never yours'
            cand --header 'Add a header `Name: value` (repeatable); the profile''s key is sent, never yours'
            cand --jq 'Filter the answer with a jq expression (each page with --paginate, each event of a stream); strings print without quotes'
            cand --color 'When to use colour'
            cand --profile 'The profile (backend and key) to use; `local` is the embedded server'
            cand -i 'Print the request and the answer''s status line and headers first (the key redacted)'
            cand --include 'Print the request and the answer''s status line and headers first (the key redacted)'
            cand --silent 'Print nothing on stdout; the exit code still tells how it went'
            cand --paginate 'Follow `next_cursor` to the last page, printing one JSON array of every page''s items'
            cand --json 'Print machine-readable JSON on stdout (errors too)'
            cand -q 'Print only data and errors, no progress or status messages'
            cand --quiet 'Print only data and errors, no progress or status messages'
            cand -v 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand --verbose 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'persona;completion'= {
            cand --color 'When to use colour'
            cand --static 'A script that completes commands and flags only, without running `persona`'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'persona;help'= {
            cand auth 'Log in to a Persona API, and see which key and workspace each profile uses'
            cand chat 'Talk to a persona: one message, or an interactive session'
            cand personas 'Create, read, version and edit personas'
            cand runs 'Follow and manage generation runs'
            cand mcp 'Bridge MCP hosts (Claude Desktop, Cursor, ...) to personas over stdio, and configure them'
            cand webhooks 'Receive signed events: endpoints, deliveries and replays, `listen` for local development'
            cand dev 'Run the embedded Persona API for other programs, and manage its keys'
            cand api 'Call any endpoint of the API with the profile''s key: paging, event streams and jq built in'
            cand completion 'Print the script that completes commands and live names in a shell'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'persona;help;auth'= {
            cand login 'Log in to a Persona API and store the key in the OS keyring'
            cand status 'Show every profile: API, workspace, key source, expiry, and whether the server accepts it'
            cand token 'Print the active profile''s API key (for scripts)'
            cand switch 'Make another profile the active one'
            cand logout 'Revoke the key on the server and forget it here'
        }
        &'persona;help;auth;login'= {
        }
        &'persona;help;auth;status'= {
        }
        &'persona;help;auth;token'= {
        }
        &'persona;help;auth;switch'= {
        }
        &'persona;help;auth;logout'= {
        }
        &'persona;help;chat'= {
        }
        &'persona;help;personas'= {
            cand create 'Generate a persona from a brief, watching the run live'
            cand list 'List the workspace''s personas, newest first'
            cand get 'Show one persona by id, slug or slug@vN'
            cand versions 'List a persona''s versions'
            cand fork 'Fork a persona, optionally refining it with a new intent'
            cand archive 'Archive a persona (hidden from lists unless --archived; it keeps its slug)'
            cand unarchive 'Bring an archived persona back into lists'
            cand pull 'Write a persona, or every persona (--all), to YAML working copies'
            cand push 'Send the edits of YAML working copies to the server'
            cand diff 'Show how a working copy differs from the server'
            cand edit 'Edit a persona in your editor and push the result'
            cand status 'Show where each working copy and brief of a folder stands against the workspace'
            cand apply 'Make the workspace hold what a folder of briefs and working copies says: plan, then apply'
        }
        &'persona;help;personas;create'= {
        }
        &'persona;help;personas;list'= {
        }
        &'persona;help;personas;get'= {
        }
        &'persona;help;personas;versions'= {
        }
        &'persona;help;personas;fork'= {
        }
        &'persona;help;personas;archive'= {
        }
        &'persona;help;personas;unarchive'= {
        }
        &'persona;help;personas;pull'= {
        }
        &'persona;help;personas;push'= {
        }
        &'persona;help;personas;diff'= {
        }
        &'persona;help;personas;edit'= {
        }
        &'persona;help;personas;status'= {
        }
        &'persona;help;personas;apply'= {
        }
        &'persona;help;runs'= {
            cand list 'List runs, newest first'
            cand get 'Show a run: steps, tokens, cost, timing and error'
            cand cancel 'Cancel a queued or running run'
            cand tail 'Follow a run''s events live, replaying from the start; survives dropped connections'
        }
        &'persona;help;runs;list'= {
        }
        &'persona;help;runs;get'= {
        }
        &'persona;help;runs;cancel'= {
        }
        &'persona;help;runs;tail'= {
        }
        &'persona;help;mcp'= {
            cand serve 'Bridge an MCP host on stdio to the Persona MCP server'
            cand config 'Print (or install) the configuration that makes an MCP host start the bridge'
        }
        &'persona;help;mcp;serve'= {
        }
        &'persona;help;mcp;config'= {
        }
        &'persona;help;webhooks'= {
            cand listen 'Forward the workspace''s events to a local URL as they happen, signed as in production'
            cand verify 'Check a captured delivery (signature header and body) against a signing secret'
            cand list 'List webhook endpoints, newest first'
            cand create 'Create an endpoint; prints its signing secret, which is shown this once'
            cand delete 'Delete an endpoint with its deliveries'
            cand test 'Send a webhook.test event to an endpoint and show how it answered'
            cand deliveries 'List deliveries, newest first; `--status failed` is the dead-letter queue'
            cand replay 'Deliver a delivery''s event again: a dead-lettered one, or one a handler mishandled'
        }
        &'persona;help;webhooks;listen'= {
        }
        &'persona;help;webhooks;verify'= {
        }
        &'persona;help;webhooks;list'= {
        }
        &'persona;help;webhooks;create'= {
        }
        &'persona;help;webhooks;delete'= {
        }
        &'persona;help;webhooks;test'= {
        }
        &'persona;help;webhooks;deliveries'= {
        }
        &'persona;help;webhooks;replay'= {
        }
        &'persona;help;dev'= {
            cand serve 'Run the embedded Persona API on a local address'
            cand keys 'Manage API keys of the local store'
            cand signin-url 'Print a new one-time link that signs a browser in to approve device logins'
        }
        &'persona;help;dev;serve'= {
        }
        &'persona;help;dev;keys'= {
            cand create 'Create a key and print it once'
            cand approve 'Approve a waiting device login (`persona auth login`) by its code, without a browser'
        }
        &'persona;help;dev;keys;create'= {
        }
        &'persona;help;dev;keys;approve'= {
        }
        &'persona;help;dev;signin-url'= {
        }
        &'persona;help;api'= {
        }
        &'persona;help;completion'= {
        }
        &'persona;help;help'= {
        }
    ]
    $completions[$command]
}
