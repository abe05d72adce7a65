
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'persona' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'persona'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'persona' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Log in to a Persona API, and see which key and workspace each profile uses')
            [CompletionResult]::new('chat', 'chat', [CompletionResultType]::ParameterValue, 'Talk to a persona: one message, or an interactive session')
            [CompletionResult]::new('personas', 'personas', [CompletionResultType]::ParameterValue, 'Create, read, version and edit personas')
            [CompletionResult]::new('runs', 'runs', [CompletionResultType]::ParameterValue, 'Follow and manage generation runs')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'Bridge MCP hosts (Claude Desktop, Cursor, ...) to personas over stdio, and configure them')
            [CompletionResult]::new('webhooks', 'webhooks', [CompletionResultType]::ParameterValue, 'Receive signed events: endpoints, deliveries and replays, `listen` for local development')
            [CompletionResult]::new('dev', 'dev', [CompletionResultType]::ParameterValue, 'Run the embedded Persona API for other programs, and manage its keys')
            [CompletionResult]::new('api', 'api', [CompletionResultType]::ParameterValue, 'Call any endpoint of the API with the profile''s key: paging, event streams and jq built in')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print the script that completes commands and live names in a shell')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'persona;auth' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in to a Persona API and store the key in the OS keyring')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show every profile: API, workspace, key source, expiry, and whether the server accepts it')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print the active profile''s API key (for scripts)')
            [CompletionResult]::new('switch', 'switch', [CompletionResultType]::ParameterValue, 'Make another profile the active one')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Revoke the key on the server and forget it here')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'persona;auth;login' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'The API to log in to (default: the profile''s, else the hosted API)')
            [CompletionResult]::new('--workspace', '--workspace', [CompletionResultType]::ParameterName, 'The workspace to ask access to')
            [CompletionResult]::new('--scopes', '--scopes', [CompletionResultType]::ParameterName, 'Comma-separated scopes to ask for (default: every scope the CLI''s commands use)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Never open a browser; print the URL to open on any device')
            [CompletionResult]::new('--with-key', '--with-key', [CompletionResultType]::ParameterName, 'Log in with an API key instead: pasted at a hidden prompt on a terminal, else read from standard input (never from the command line)')
            [CompletionResult]::new('--insecure-storage', '--insecure-storage', [CompletionResultType]::ParameterName, 'Store the key in a credentials file (mode 0600) instead of the OS keyring')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;auth;status' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;auth;token' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;auth;switch' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;auth;logout' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Log out of every stored profile')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Forget the key here without revoking it on the server (it stays valid there)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;auth;help' {
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in to a Persona API and store the key in the OS keyring')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show every profile: API, workspace, key source, expiry, and whether the server accepts it')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print the active profile''s API key (for scripts)')
            [CompletionResult]::new('switch', 'switch', [CompletionResultType]::ParameterValue, 'Make another profile the active one')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Revoke the key on the server and forget it here')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'persona;auth;help;login' {
            break
        }
        'persona;auth;help;status' {
            break
        }
        'persona;auth;help;token' {
            break
        }
        'persona;auth;help;switch' {
            break
        }
        'persona;auth;help;logout' {
            break
        }
        'persona;auth;help;help' {
            break
        }
        'persona;chat' {
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Send this one message and print the reply (without it, a pipe on stdin is the message)')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'Send this one message and print the reply (without it, a pipe on stdin is the message)')
            [CompletionResult]::new('--conversation', '--conversation', [CompletionResultType]::ParameterName, 'Continue this conversation instead of starting a new one')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--show-drift', '--show-drift', [CompletionResultType]::ParameterName, 'Print the drift scores (voice, values, verdict) and coherence after each reply')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;personas' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Generate a persona from a brief, watching the run live')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the workspace''s personas, newest first')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Show one persona by id, slug or slug@vN')
            [CompletionResult]::new('versions', 'versions', [CompletionResultType]::ParameterValue, 'List a persona''s versions')
            [CompletionResult]::new('fork', 'fork', [CompletionResultType]::ParameterValue, 'Fork a persona, optionally refining it with a new intent')
            [CompletionResult]::new('archive', 'archive', [CompletionResultType]::ParameterValue, 'Archive a persona (hidden from lists unless --archived; it keeps its slug)')
            [CompletionResult]::new('unarchive', 'unarchive', [CompletionResultType]::ParameterValue, 'Bring an archived persona back into lists')
            [CompletionResult]::new('pull', 'pull', [CompletionResultType]::ParameterValue, 'Write a persona, or every persona (--all), to YAML working copies')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Send the edits of YAML working copies to the server')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show how a working copy differs from the server')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Edit a persona in your editor and push the result')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show where each working copy and brief of a folder stands against the workspace')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Make the workspace hold what a folder of briefs and working copies says: plan, then apply')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'persona;personas;create' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'The brief: a Markdown file or a pipe (`<(cat brief.md)`), or `-` for standard input')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The brief: a Markdown file or a pipe (`<(cat brief.md)`), or `-` for standard input')
            [CompletionResult]::new('--intent', '--intent', [CompletionResultType]::ParameterName, 'The character brief as text, instead of a file')
            [CompletionResult]::new('--language', '--language', [CompletionResultType]::ParameterName, 'Primary speaking language (ISO-639-1, e.g. en, tr)')
            [CompletionResult]::new('--visibility', '--visibility', [CompletionResultType]::ParameterName, 'Who can see the persona')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'The generation pipeline (e.g. default, strict-audit)')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Reproducibility seed: the same brief and seed give the same persona')
            [CompletionResult]::new('--budget-usd', '--budget-usd', [CompletionResultType]::ParameterName, 'Hard cost cap in US dollars, a positive number; the run stops before a step that would take its cost over it')
            [CompletionResult]::new('--slug', '--slug', [CompletionResultType]::ParameterName, 'The persona''s slug (default: derived from the generated persona)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Also write the persona''s YAML working copy to this file')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Also write the persona''s YAML working copy to this file')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Print the run id and return at once; the run goes on (follow it with `persona runs tail`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;personas;list' {
            [CompletionResult]::new('-Q', '-Q ', [CompletionResultType]::ParameterName, 'Only personas whose slug, name, occupation or intent contains this text')
            [CompletionResult]::new('--query', '--query', [CompletionResultType]::ParameterName, 'Only personas whose slug, name, occupation or intent contains this text')
            [CompletionResult]::new('--visibility', '--visibility', [CompletionResultType]::ParameterName, 'Only personas with this visibility')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only personas with these statuses, separated by commas, or `all` [default: queued, running, completed]')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'How many to list (1 to 100; with --all, the page size)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--archived', '--archived', [CompletionResultType]::ParameterName, 'List archived personas instead')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Follow every page to the end')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;personas;get' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--yaml', '--yaml', [CompletionResultType]::ParameterName, 'Print the persona as a YAML working copy')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;personas;versions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'persona;personas;fork' {
            [CompletionResult]::new('--intent', '--intent', [CompletionResultType]::ParameterName, 'A refinement: the fork''s layers are rewritten under it')
            [CompletionResult]::new('--slug', '--slug', [CompletionResultType]::ParameterName, 'The fork''s slug (default: the parent''s with -fork)')
            [CompletionResult]::new('--visibility', '--visibility', [CompletionResultType]::ParameterName, 'The fork''s visibility (default: the parent''s)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;personas;archive' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'persona;personas;unarchive' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;personas;pull' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'With --all: the folder to write to (created when missing)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'With --all: the folder to write to (created when missing)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'The file to write (default: <slug>.yml); `-` prints the YAML on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The file to write (default: <slug>.yml); `-` prints the YAML on stdout')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Pull this past version instead of the current one')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Pull every persona the key can see (not archived ones, unless --archived)')
            [CompletionResult]::new('--archived', '--archived', [CompletionResultType]::ParameterName, 'With --all: archived personas too')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite files even if they have local edits')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;personas;push' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Push even if the persona changed on the server since the pull, overwriting those changes')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;personas;diff' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--exit-code', '--exit-code', [CompletionResultType]::ParameterName, 'Exit with 1 when the file''s editable fields differ from the server''s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;personas;edit' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;personas;status' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--exit-code', '--exit-code', [CompletionResultType]::ParameterName, 'Exit with 1 when any file is not up to date')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;personas;apply' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Apply without asking (needed when there is no terminal to ask on, and with --json)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Apply without asking (needed when there is no terminal to ask on, and with --json)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing: exit 0 when there is nothing to do, 2 when there is')
            [CompletionResult]::new('--prune', '--prune', [CompletionResultType]::ParameterName, 'Also archive the workspace''s personas that no file names')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Apply working copies in conflict too, overwriting the changes made on the server')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;personas;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Generate a persona from a brief, watching the run live')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the workspace''s personas, newest first')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Show one persona by id, slug or slug@vN')
            [CompletionResult]::new('versions', 'versions', [CompletionResultType]::ParameterValue, 'List a persona''s versions')
            [CompletionResult]::new('fork', 'fork', [CompletionResultType]::ParameterValue, 'Fork a persona, optionally refining it with a new intent')
            [CompletionResult]::new('archive', 'archive', [CompletionResultType]::ParameterValue, 'Archive a persona (hidden from lists unless --archived; it keeps its slug)')
            [CompletionResult]::new('unarchive', 'unarchive', [CompletionResultType]::ParameterValue, 'Bring an archived persona back into lists')
            [CompletionResult]::new('pull', 'pull', [CompletionResultType]::ParameterValue, 'Write a persona, or every persona (--all), to YAML working copies')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Send the edits of YAML working copies to the server')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show how a working copy differs from the server')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Edit a persona in your editor and push the result')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show where each working copy and brief of a folder stands against the workspace')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Make the workspace hold what a folder of briefs and working copies says: plan, then apply')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'persona;personas;help;create' {
            break
        }
        'persona;personas;help;list' {
            break
        }
        'persona;personas;help;get' {
            break
        }
        'persona;personas;help;versions' {
            break
        }
        'persona;personas;help;fork' {
            break
        }
        'persona;personas;help;archive' {
            break
        }
        'persona;personas;help;unarchive' {
            break
        }
        'persona;personas;help;pull' {
            break
        }
        'persona;personas;help;push' {
            break
        }
        'persona;personas;help;diff' {
            break
        }
        'persona;personas;help;edit' {
            break
        }
        'persona;personas;help;status' {
            break
        }
        'persona;personas;help;apply' {
            break
        }
        'persona;personas;help;help' {
            break
        }
        'persona;runs' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List runs, newest first')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Show a run: steps, tokens, cost, timing and error')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a queued or running run')
            [CompletionResult]::new('tail', 'tail', [CompletionResultType]::ParameterValue, 'Follow a run''s events live, replaying from the start; survives dropped connections')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'persona;runs;list' {
            [CompletionResult]::new('--persona', '--persona', [CompletionResultType]::ParameterName, 'Only runs of this persona (id or slug)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only runs with this status')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'How many to list (1 to 100; with --all, the page size)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Follow every page to the end')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;runs;get' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;runs;cancel' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;runs;tail' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Start after this event id instead of replaying from the start')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Show only events of this type (repeatable), e.g. step.completed')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--exit-status', '--exit-status', [CompletionResultType]::ParameterName, 'Exit with 8 when the run ended failed or canceled')
            [CompletionResult]::new('--render', '--render', [CompletionResultType]::ParameterName, 'Draw the persona as it fills in, applying each JSON patch: redrawn in place on a terminal; piped, a YAML document per change')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;runs;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List runs, newest first')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Show a run: steps, tokens, cost, timing and error')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a queued or running run')
            [CompletionResult]::new('tail', 'tail', [CompletionResultType]::ParameterValue, 'Follow a run''s events live, replaying from the start; survives dropped connections')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'persona;runs;help;list' {
            break
        }
        'persona;runs;help;get' {
            break
        }
        'persona;runs;help;cancel' {
            break
        }
        'persona;runs;help;tail' {
            break
        }
        'persona;runs;help;help' {
            break
        }
        'persona;mcp' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Bridge an MCP host on stdio to the Persona MCP server')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Print (or install) the configuration that makes an MCP host start the bridge')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'persona;mcp;serve' {
            [CompletionResult]::new('--workspace', '--workspace', [CompletionResultType]::ParameterName, 'The workspace whose personas the host sees (default: PERSONA_WORKSPACE, else the profile''s)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The MCP server (default: the profile''s; on `local`, the embedded server''s /mcp)')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'How to reach the server: `auto` tries Streamable HTTP, then the older HTTP+SSE transport')
            [CompletionResult]::new('--tool-names', '--tool-names', [CompletionResultType]::ParameterName, '`safe` renames tools to ^[a-zA-Z0-9_-]{1,64}$ for hosts that refuse dots (persona.invoke → persona_invoke); `original` keeps the server''s names')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;mcp;config' {
            [CompletionResult]::new('--client', '--client', [CompletionResultType]::ParameterName, 'The MCP host to configure')
            [CompletionResult]::new('--workspace', '--workspace', [CompletionResultType]::ParameterName, 'The workspace the bridge exposes (default: the profile''s when the bridge starts)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--install', '--install', [CompletionResultType]::ParameterName, 'Merge the entry into the host''s config file instead of printing it')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;mcp;help' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Bridge an MCP host on stdio to the Persona MCP server')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Print (or install) the configuration that makes an MCP host start the bridge')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'persona;mcp;help;serve' {
            break
        }
        'persona;mcp;help;config' {
            break
        }
        'persona;mcp;help;help' {
            break
        }
        'persona;webhooks' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Forward the workspace''s events to a local URL as they happen, signed as in production')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a captured delivery (signature header and body) against a signing secret')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List webhook endpoints, newest first')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an endpoint; prints its signing secret, which is shown this once')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete an endpoint with its deliveries')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Send a webhook.test event to an endpoint and show how it answered')
            [CompletionResult]::new('deliveries', 'deliveries', [CompletionResultType]::ParameterValue, 'List deliveries, newest first; `--status failed` is the dead-letter queue')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Deliver a delivery''s event again: a dead-lettered one, or one a handler mishandled')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'persona;webhooks;listen' {
            [CompletionResult]::new('--forward-to', '--forward-to', [CompletionResultType]::ParameterName, 'The local URL each event is POSTed to')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'Only these event types, comma-separated (default: all)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--print-secret', '--print-secret', [CompletionResultType]::ParameterName, 'Print the signing secret (whsec_...) as the first line on stdout')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;webhooks;verify' {
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'The endpoint''s signing secret, whsec_...')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'The signature header as received: ''Persona-Signature: t=...,v1=...'' or ''t=...,v1=...''')
            [CompletionResult]::new('--tolerance', '--tolerance', [CompletionResultType]::ParameterName, 'Largest accepted distance of the signature''s timestamp from now, in seconds')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;webhooks;list' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'How many to list (1 to 100; with --all, the page size)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Follow every page to the end')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;webhooks;create' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Where to POST events: an http or https URL')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'Event types to send, comma-separated (default: all), e.g. persona.created,run.failed')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'A note that tells this endpoint apart')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;webhooks;delete' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;webhooks;test' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return at once instead of waiting for the first attempt')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;webhooks;deliveries' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only deliveries with this status (failed: the dead-letter queue)')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Only deliveries to this endpoint (whk_...)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'How many to list (1 to 100; with --all, the page size)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Follow every page to the end')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;webhooks;replay' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return at once instead of waiting for the first attempt')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;webhooks;help' {
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Forward the workspace''s events to a local URL as they happen, signed as in production')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a captured delivery (signature header and body) against a signing secret')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List webhook endpoints, newest first')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an endpoint; prints its signing secret, which is shown this once')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete an endpoint with its deliveries')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Send a webhook.test event to an endpoint and show how it answered')
            [CompletionResult]::new('deliveries', 'deliveries', [CompletionResultType]::ParameterValue, 'List deliveries, newest first; `--status failed` is the dead-letter queue')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Deliver a delivery''s event again: a dead-lettered one, or one a handler mishandled')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'persona;webhooks;help;listen' {
            break
        }
        'persona;webhooks;help;verify' {
            break
        }
        'persona;webhooks;help;list' {
            break
        }
        'persona;webhooks;help;create' {
            break
        }
        'persona;webhooks;help;delete' {
            break
        }
        'persona;webhooks;help;test' {
            break
        }
        'persona;webhooks;help;deliveries' {
            break
        }
        'persona;webhooks;help;replay' {
            break
        }
        'persona;webhooks;help;help' {
            break
        }
        'persona;dev' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the embedded Persona API on a local address')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Manage API keys of the local store')
            [CompletionResult]::new('signin-url', 'signin-url', [CompletionResultType]::ParameterValue, 'Print a new one-time link that signs a browser in to approve device logins')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'persona;dev;serve' {
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Address to listen on; port 0 picks a free port')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'The store''s directory (default: PERSONA_DATA_DIR, else the platform data directory)')
            [CompletionResult]::new('--plan', '--plan', [CompletionResultType]::ParameterName, 'The plan whose rate limits apply')
            [CompletionResult]::new('--rate-window', '--rate-window', [CompletionResultType]::ParameterName, 'Length of the rate-limit window in seconds')
            [CompletionResult]::new('--step-delay-ms', '--step-delay-ms', [CompletionResultType]::ParameterName, 'Pause after each pipeline step, in milliseconds, to watch runs live (default: PERSONA_STEP_DELAY_MS, else 0)')
            [CompletionResult]::new('--keepalive', '--keepalive', [CompletionResultType]::ParameterName, 'Seconds of idle time before an event stream sends a keepalive comment')
            [CompletionResult]::new('--device-code-ttl', '--device-code-ttl', [CompletionResultType]::ParameterName, 'Seconds a device login code (`persona auth login`) stays usable')
            [CompletionResult]::new('--device-poll-interval', '--device-poll-interval', [CompletionResultType]::ParameterName, 'Least number of seconds between two polls of one device login code')
            [CompletionResult]::new('--webhook-retry-schedule', '--webhook-retry-schedule', [CompletionResultType]::ParameterName, 'Seconds between the attempts of a webhook delivery (one attempt more than waits, each wait give or take 20%), then the dead-letter queue')
            [CompletionResult]::new('--retention-days', '--retention-days', [CompletionResultType]::ParameterName, 'Days webhook events and their deliveries are kept once delivered or dead-lettered (and can be replayed); events no webhook or listen stream wants are not kept at all')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--allow-private-webhooks', '--allow-private-webhooks', [CompletionResultType]::ParameterName, 'Deliver webhooks to loopback and private-network addresses even when listening on another address than loopback (link-local and metadata addresses stay refused)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;dev;keys' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a key and print it once')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve a waiting device login (`persona auth login`) by its code, without a browser')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'persona;dev;keys;create' {
            [CompletionResult]::new('--workspace', '--workspace', [CompletionResultType]::ParameterName, 'The workspace (created if new)')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'Live or test key; must match the workspace''s mode (default: the workspace''s, else test)')
            [CompletionResult]::new('--scopes', '--scopes', [CompletionResultType]::ParameterName, 'Comma-separated scopes, `group:*` allowed (default: every scope)')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'The person the key belongs to: keys of one owner share their private personas')
            [CompletionResult]::new('--expires-in-days', '--expires-in-days', [CompletionResultType]::ParameterName, 'Days until the key expires')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'The store''s directory (default: PERSONA_DATA_DIR, else the platform data directory)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;dev;keys;approve' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'The store''s directory (default: PERSONA_DATA_DIR, else the platform data directory)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;dev;keys;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a key and print it once')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve a waiting device login (`persona auth login`) by its code, without a browser')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'persona;dev;keys;help;create' {
            break
        }
        'persona;dev;keys;help;approve' {
            break
        }
        'persona;dev;keys;help;help' {
            break
        }
        'persona;dev;signin-url' {
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'The address the server listens on, as `persona dev serve --addr` got it')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'The server''s store directory (default: PERSONA_DATA_DIR, else the platform data directory)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;dev;help' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the embedded Persona API on a local address')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Manage API keys of the local store')
            [CompletionResult]::new('signin-url', 'signin-url', [CompletionResultType]::ParameterValue, 'Print a new one-time link that signs a browser in to approve device logins')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'persona;dev;help;serve' {
            break
        }
        'persona;dev;help;keys' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a key and print it once')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve a waiting device login (`persona auth login`) by its code, without a browser')
            break
        }
        'persona;dev;help;keys;create' {
            break
        }
        'persona;dev;help;keys;approve' {
            break
        }
        'persona;dev;help;signin-url' {
            break
        }
        'persona;dev;help;help' {
            break
        }
        'persona;api' {
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'The HTTP method (default GET, or POST when fields or --input are given)')
            [CompletionResult]::new('--method', '--method', [CompletionResultType]::ParameterName, 'The HTTP method (default GET, or POST when fields or --input are given)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A string field KEY=VALUE of the JSON body (of the query for GET); `key[sub]=v` nests')
            [CompletionResult]::new('--raw-field', '--raw-field', [CompletionResultType]::ParameterName, 'A string field KEY=VALUE of the JSON body (of the query for GET); `key[sub]=v` nests')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'A typed field: numbers, true, false and null as JSON, @FILE for a file''s text (@- stdin)')
            [CompletionResult]::new('--field', '--field', [CompletionResultType]::ParameterName, 'A typed field: numbers, true, false and null as JSON, @FILE for a file''s text (@- stdin)')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'Send FILE (- for stdin) as the body, as it is; fields then go to the query')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Add a header `Name: value` (repeatable); the profile''s key is sent, never yours')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Add a header `Name: value` (repeatable); the profile''s key is sent, never yours')
            [CompletionResult]::new('--jq', '--jq', [CompletionResultType]::ParameterName, 'Filter the answer with a jq expression (each page with --paginate, each event of a stream); strings print without quotes')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile (backend and key) to use; `local` is the embedded server')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Print the request and the answer''s status line and headers first (the key redacted)')
            [CompletionResult]::new('--include', '--include', [CompletionResultType]::ParameterName, 'Print the request and the answer''s status line and headers first (the key redacted)')
            [CompletionResult]::new('--silent', '--silent', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit code still tells how it went')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Follow `next_cursor` to the last page, printing one JSON array of every page''s items')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON on stdout (errors too)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors, no progress or status messages')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'persona;completion' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--static', '--static', [CompletionResultType]::ParameterName, 'A script that completes commands and flags only, without running `persona`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'persona;help' {
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Log in to a Persona API, and see which key and workspace each profile uses')
            [CompletionResult]::new('chat', 'chat', [CompletionResultType]::ParameterValue, 'Talk to a persona: one message, or an interactive session')
            [CompletionResult]::new('personas', 'personas', [CompletionResultType]::ParameterValue, 'Create, read, version and edit personas')
            [CompletionResult]::new('runs', 'runs', [CompletionResultType]::ParameterValue, 'Follow and manage generation runs')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'Bridge MCP hosts (Claude Desktop, Cursor, ...) to personas over stdio, and configure them')
            [CompletionResult]::new('webhooks', 'webhooks', [CompletionResultType]::ParameterValue, 'Receive signed events: endpoints, deliveries and replays, `listen` for local development')
            [CompletionResult]::new('dev', 'dev', [CompletionResultType]::ParameterValue, 'Run the embedded Persona API for other programs, and manage its keys')
            [CompletionResult]::new('api', 'api', [CompletionResultType]::ParameterValue, 'Call any endpoint of the API with the profile''s key: paging, event streams and jq built in')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print the script that completes commands and live names in a shell')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'persona;help;auth' {
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in to a Persona API and store the key in the OS keyring')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show every profile: API, workspace, key source, expiry, and whether the server accepts it')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print the active profile''s API key (for scripts)')
            [CompletionResult]::new('switch', 'switch', [CompletionResultType]::ParameterValue, 'Make another profile the active one')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Revoke the key on the server and forget it here')
            break
        }
        'persona;help;auth;login' {
            break
        }
        'persona;help;auth;status' {
            break
        }
        'persona;help;auth;token' {
            break
        }
        'persona;help;auth;switch' {
            break
        }
        'persona;help;auth;logout' {
            break
        }
        'persona;help;chat' {
            break
        }
        'persona;help;personas' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Generate a persona from a brief, watching the run live')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the workspace''s personas, newest first')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Show one persona by id, slug or slug@vN')
            [CompletionResult]::new('versions', 'versions', [CompletionResultType]::ParameterValue, 'List a persona''s versions')
            [CompletionResult]::new('fork', 'fork', [CompletionResultType]::ParameterValue, 'Fork a persona, optionally refining it with a new intent')
            [CompletionResult]::new('archive', 'archive', [CompletionResultType]::ParameterValue, 'Archive a persona (hidden from lists unless --archived; it keeps its slug)')
            [CompletionResult]::new('unarchive', 'unarchive', [CompletionResultType]::ParameterValue, 'Bring an archived persona back into lists')
            [CompletionResult]::new('pull', 'pull', [CompletionResultType]::ParameterValue, 'Write a persona, or every persona (--all), to YAML working copies')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Send the edits of YAML working copies to the server')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show how a working copy differs from the server')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Edit a persona in your editor and push the result')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show where each working copy and brief of a folder stands against the workspace')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Make the workspace hold what a folder of briefs and working copies says: plan, then apply')
            break
        }
        'persona;help;personas;create' {
            break
        }
        'persona;help;personas;list' {
            break
        }
        'persona;help;personas;get' {
            break
        }
        'persona;help;personas;versions' {
            break
        }
        'persona;help;personas;fork' {
            break
        }
        'persona;help;personas;archive' {
            break
        }
        'persona;help;personas;unarchive' {
            break
        }
        'persona;help;personas;pull' {
            break
        }
        'persona;help;personas;push' {
            break
        }
        'persona;help;personas;diff' {
            break
        }
        'persona;help;personas;edit' {
            break
        }
        'persona;help;personas;status' {
            break
        }
        'persona;help;personas;apply' {
            break
        }
        'persona;help;runs' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List runs, newest first')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Show a run: steps, tokens, cost, timing and error')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a queued or running run')
            [CompletionResult]::new('tail', 'tail', [CompletionResultType]::ParameterValue, 'Follow a run''s events live, replaying from the start; survives dropped connections')
            break
        }
        'persona;help;runs;list' {
            break
        }
        'persona;help;runs;get' {
            break
        }
        'persona;help;runs;cancel' {
            break
        }
        'persona;help;runs;tail' {
            break
        }
        'persona;help;mcp' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Bridge an MCP host on stdio to the Persona MCP server')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Print (or install) the configuration that makes an MCP host start the bridge')
            break
        }
        'persona;help;mcp;serve' {
            break
        }
        'persona;help;mcp;config' {
            break
        }
        'persona;help;webhooks' {
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Forward the workspace''s events to a local URL as they happen, signed as in production')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a captured delivery (signature header and body) against a signing secret')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List webhook endpoints, newest first')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an endpoint; prints its signing secret, which is shown this once')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete an endpoint with its deliveries')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Send a webhook.test event to an endpoint and show how it answered')
            [CompletionResult]::new('deliveries', 'deliveries', [CompletionResultType]::ParameterValue, 'List deliveries, newest first; `--status failed` is the dead-letter queue')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Deliver a delivery''s event again: a dead-lettered one, or one a handler mishandled')
            break
        }
        'persona;help;webhooks;listen' {
            break
        }
        'persona;help;webhooks;verify' {
            break
        }
        'persona;help;webhooks;list' {
            break
        }
        'persona;help;webhooks;create' {
            break
        }
        'persona;help;webhooks;delete' {
            break
        }
        'persona;help;webhooks;test' {
            break
        }
        'persona;help;webhooks;deliveries' {
            break
        }
        'persona;help;webhooks;replay' {
            break
        }
        'persona;help;dev' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the embedded Persona API on a local address')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Manage API keys of the local store')
            [CompletionResult]::new('signin-url', 'signin-url', [CompletionResultType]::ParameterValue, 'Print a new one-time link that signs a browser in to approve device logins')
            break
        }
        'persona;help;dev;serve' {
            break
        }
        'persona;help;dev;keys' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a key and print it once')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve a waiting device login (`persona auth login`) by its code, without a browser')
            break
        }
        'persona;help;dev;keys;create' {
            break
        }
        'persona;help;dev;keys;approve' {
            break
        }
        'persona;help;dev;signin-url' {
            break
        }
        'persona;help;api' {
            break
        }
        'persona;help;completion' {
            break
        }
        'persona;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
