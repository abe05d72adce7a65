# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_persona_global_optspecs
    string join \n json q/quiet v/verbose color= profile= h/help V/version
end

function __fish_persona_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_persona_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_persona_using_subcommand
    set -l cmd (__fish_persona_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c persona -n "__fish_persona_needs_command" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_needs_command" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_needs_command" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_needs_command" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_needs_command" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_needs_command" -s V -l version -d 'Print version'
complete -c persona -n "__fish_persona_needs_command" -f -a "auth" -d 'Log in to a Persona API, and see which key and workspace each profile uses'
complete -c persona -n "__fish_persona_needs_command" -f -a "chat" -d 'Talk to a persona: one message, or an interactive session'
complete -c persona -n "__fish_persona_needs_command" -f -a "personas" -d 'Create, read, version and edit personas'
complete -c persona -n "__fish_persona_needs_command" -f -a "runs" -d 'Follow and manage generation runs'
complete -c persona -n "__fish_persona_needs_command" -f -a "mcp" -d 'Bridge MCP hosts (Claude Desktop, Cursor, ...) to personas over stdio, and configure them'
complete -c persona -n "__fish_persona_needs_command" -f -a "webhooks" -d 'Receive signed events: endpoints, deliveries and replays, `listen` for local development'
complete -c persona -n "__fish_persona_needs_command" -f -a "dev" -d 'Run the embedded Persona API for other programs, and manage its keys'
complete -c persona -n "__fish_persona_needs_command" -f -a "api" -d 'Call any endpoint of the API with the profile\'s key: paging, event streams and jq built in'
complete -c persona -n "__fish_persona_needs_command" -f -a "completion" -d 'Print the script that completes commands and live names in a shell'
complete -c persona -n "__fish_persona_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c persona -n "__fish_persona_using_subcommand auth; and not __fish_seen_subcommand_from login status token switch logout help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand auth; and not __fish_seen_subcommand_from login status token switch logout help" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand auth; and not __fish_seen_subcommand_from login status token switch logout help" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand auth; and not __fish_seen_subcommand_from login status token switch logout help" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand auth; and not __fish_seen_subcommand_from login status token switch logout help" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand auth; and not __fish_seen_subcommand_from login status token switch logout help" -s h -l help -d 'Print help'
complete -c persona -n "__fish_persona_using_subcommand auth; and not __fish_seen_subcommand_from login status token switch logout help" -f -a "login" -d 'Log in to a Persona API and store the key in the OS keyring'
complete -c persona -n "__fish_persona_using_subcommand auth; and not __fish_seen_subcommand_from login status token switch logout help" -f -a "status" -d 'Show every profile: API, workspace, key source, expiry, and whether the server accepts it'
complete -c persona -n "__fish_persona_using_subcommand auth; and not __fish_seen_subcommand_from login status token switch logout help" -f -a "token" -d 'Print the active profile\'s API key (for scripts)'
complete -c persona -n "__fish_persona_using_subcommand auth; and not __fish_seen_subcommand_from login status token switch logout help" -f -a "switch" -d 'Make another profile the active one'
complete -c persona -n "__fish_persona_using_subcommand auth; and not __fish_seen_subcommand_from login status token switch logout help" -f -a "logout" -d 'Revoke the key on the server and forget it here'
complete -c persona -n "__fish_persona_using_subcommand auth; and not __fish_seen_subcommand_from login status token switch logout help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from login" -l api-url -d 'The API to log in to (default: the profile\'s, else the hosted API)' -r
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from login" -l workspace -d 'The workspace to ask access to' -r
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from login" -l scopes -d 'Comma-separated scopes to ask for (default: every scope the CLI\'s commands use)' -r
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from login" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from login" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from login" -l no-browser -d 'Never open a browser; print the URL to open on any device'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from login" -l with-key -d 'Log in with an API key instead: pasted at a hidden prompt on a terminal, else read from standard input (never from the command line)'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from login" -l insecure-storage -d 'Store the key in a credentials file (mode 0600) instead of the OS keyring'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from login" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from login" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from login" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from status" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from status" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from status" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from status" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from token" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from token" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from token" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from token" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from token" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from token" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from switch" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from switch" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from switch" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from switch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from logout" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from logout" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from logout" -l all -d 'Log out of every stored profile'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from logout" -l local -d 'Forget the key here without revoking it on the server (it stays valid there)'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from logout" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from logout" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from logout" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from logout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "login" -d 'Log in to a Persona API and store the key in the OS keyring'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show every profile: API, workspace, key source, expiry, and whether the server accepts it'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "token" -d 'Print the active profile\'s API key (for scripts)'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "switch" -d 'Make another profile the active one'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "logout" -d 'Revoke the key on the server and forget it here'
complete -c persona -n "__fish_persona_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c persona -n "__fish_persona_using_subcommand chat" -s m -l message -d 'Send this one message and print the reply (without it, a pipe on stdin is the message)' -r
complete -c persona -n "__fish_persona_using_subcommand chat" -l conversation -d 'Continue this conversation instead of starting a new one' -r
complete -c persona -n "__fish_persona_using_subcommand chat" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand chat" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand chat" -l show-drift -d 'Print the drift scores (voice, values, verdict) and coherence after each reply'
complete -c persona -n "__fish_persona_using_subcommand chat" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand chat" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand chat" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand chat" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand personas; and not __fish_seen_subcommand_from create list get versions fork archive unarchive pull push diff edit status apply help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand personas; and not __fish_seen_subcommand_from create list get versions fork archive unarchive pull push diff edit status apply help" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and not __fish_seen_subcommand_from create list get versions fork archive unarchive pull push diff edit status apply help" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand personas; and not __fish_seen_subcommand_from create list get versions fork archive unarchive pull push diff edit status apply help" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand personas; and not __fish_seen_subcommand_from create list get versions fork archive unarchive pull push diff edit status apply help" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand personas; and not __fish_seen_subcommand_from create list get versions fork archive unarchive pull push diff edit status apply help" -s h -l help -d 'Print help'
complete -c persona -n "__fish_persona_using_subcommand personas; and not __fish_seen_subcommand_from create list get versions fork archive unarchive pull push diff edit status apply help" -f -a "create" -d 'Generate a persona from a brief, watching the run live'
complete -c persona -n "__fish_persona_using_subcommand personas; and not __fish_seen_subcommand_from create list get versions fork archive unarchive pull push diff edit status apply help" -f -a "list" -d 'List the workspace\'s personas, newest first'
complete -c persona -n "__fish_persona_using_subcommand personas; and not __fish_seen_subcommand_from create list get versions fork archive unarchive pull push diff edit status apply help" -f -a "get" -d 'Show one persona by id, slug or slug@vN'
complete -c persona -n "__fish_persona_using_subcommand personas; and not __fish_seen_subcommand_from create list get versions fork archive unarchive pull push diff edit status apply help" -f -a "versions" -d 'List a persona\'s versions'
complete -c persona -n "__fish_persona_using_subcommand personas; and not __fish_seen_subcommand_from create list get versions fork archive unarchive pull push diff edit status apply help" -f -a "fork" -d 'Fork a persona, optionally refining it with a new intent'
complete -c persona -n "__fish_persona_using_subcommand personas; and not __fish_seen_subcommand_from create list get versions fork archive unarchive pull push diff edit status apply help" -f -a "archive" -d 'Archive a persona (hidden from lists unless --archived; it keeps its slug)'
complete -c persona -n "__fish_persona_using_subcommand personas; and not __fish_seen_subcommand_from create list get versions fork archive unarchive pull push diff edit status apply help" -f -a "unarchive" -d 'Bring an archived persona back into lists'
complete -c persona -n "__fish_persona_using_subcommand personas; and not __fish_seen_subcommand_from create list get versions fork archive unarchive pull push diff edit status apply help" -f -a "pull" -d 'Write a persona, or every persona (--all), to YAML working copies'
complete -c persona -n "__fish_persona_using_subcommand personas; and not __fish_seen_subcommand_from create list get versions fork archive unarchive pull push diff edit status apply help" -f -a "push" -d 'Send the edits of YAML working copies to the server'
complete -c persona -n "__fish_persona_using_subcommand personas; and not __fish_seen_subcommand_from create list get versions fork archive unarchive pull push diff edit status apply help" -f -a "diff" -d 'Show how a working copy differs from the server'
complete -c persona -n "__fish_persona_using_subcommand personas; and not __fish_seen_subcommand_from create list get versions fork archive unarchive pull push diff edit status apply help" -f -a "edit" -d 'Edit a persona in your editor and push the result'
complete -c persona -n "__fish_persona_using_subcommand personas; and not __fish_seen_subcommand_from create list get versions fork archive unarchive pull push diff edit status apply help" -f -a "status" -d 'Show where each working copy and brief of a folder stands against the workspace'
complete -c persona -n "__fish_persona_using_subcommand personas; and not __fish_seen_subcommand_from create list get versions fork archive unarchive pull push diff edit status apply help" -f -a "apply" -d 'Make the workspace hold what a folder of briefs and working copies says: plan, then apply'
complete -c persona -n "__fish_persona_using_subcommand personas; and not __fish_seen_subcommand_from create list get versions fork archive unarchive pull push diff edit status apply help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from create" -s f -l file -d 'The brief: a Markdown file or a pipe (`<(cat brief.md)`), or `-` for standard input' -r -F
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from create" -l intent -d 'The character brief as text, instead of a file' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from create" -l language -d 'Primary speaking language (ISO-639-1, e.g. en, tr)' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from create" -l visibility -d 'Who can see the persona' -r -f -a "private\t''
workspace\t''
public\t''"
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from create" -l pipeline -d 'The generation pipeline (e.g. default, strict-audit)' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from create" -l seed -d 'Reproducibility seed: the same brief and seed give the same persona' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from create" -l budget-usd -d 'Hard cost cap in US dollars, a positive number; the run stops before a step that would take its cost over it' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from create" -l slug -d 'The persona\'s slug (default: derived from the generated persona)' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from create" -s o -l output -d 'Also write the persona\'s YAML working copy to this file' -r -F
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from create" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from create" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from create" -l no-wait -d 'Print the run id and return at once; the run goes on (follow it with `persona runs tail`)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from create" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from list" -s Q -l query -d 'Only personas whose slug, name, occupation or intent contains this text' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from list" -l visibility -d 'Only personas with this visibility' -r -f -a "private\t''
workspace\t''
public\t''"
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from list" -l status -d 'Only personas with these statuses, separated by commas, or `all` [default: queued, running, completed]' -r -f -a "queued\t''
running\t''
completed\t''
failed\t''
canceled\t''
all\t''"
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from list" -l limit -d 'How many to list (1 to 100; with --all, the page size)' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from list" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from list" -l archived -d 'List archived personas instead'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from list" -l all -d 'Follow every page to the end'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from get" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from get" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from get" -l yaml -d 'Print the persona as a YAML working copy'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from get" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from get" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from get" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from versions" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from versions" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from versions" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from versions" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from versions" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from versions" -s h -l help -d 'Print help'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from fork" -l intent -d 'A refinement: the fork\'s layers are rewritten under it' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from fork" -l slug -d 'The fork\'s slug (default: the parent\'s with -fork)' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from fork" -l visibility -d 'The fork\'s visibility (default: the parent\'s)' -r -f -a "private\t''
workspace\t''
public\t''"
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from fork" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from fork" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from fork" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from fork" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from fork" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from fork" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from archive" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from archive" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from archive" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from archive" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from archive" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from archive" -s h -l help -d 'Print help'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from unarchive" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from unarchive" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from unarchive" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from unarchive" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from unarchive" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from unarchive" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from pull" -s d -l dir -d 'With --all: the folder to write to (created when missing)' -r -f -a "(__fish_complete_directories)"
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from pull" -s o -l output -d 'The file to write (default: <slug>.yml); `-` prints the YAML on stdout' -r -F
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from pull" -l version -d 'Pull this past version instead of the current one' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from pull" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from pull" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from pull" -l all -d 'Pull every persona the key can see (not archived ones, unless --archived)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from pull" -l archived -d 'With --all: archived personas too'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from pull" -l force -d 'Overwrite files even if they have local edits'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from pull" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from pull" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from pull" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from pull" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from push" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from push" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from push" -l force -d 'Push even if the persona changed on the server since the pull, overwriting those changes'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from push" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from push" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from push" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from push" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from diff" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from diff" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from diff" -l exit-code -d 'Exit with 1 when the file\'s editable fields differ from the server\'s'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from diff" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from diff" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from diff" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from edit" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from edit" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from edit" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from edit" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from edit" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from edit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from status" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from status" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from status" -l exit-code -d 'Exit with 1 when any file is not up to date'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from status" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from status" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from apply" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from apply" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from apply" -s y -l yes -d 'Apply without asking (needed when there is no terminal to ask on, and with --json)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from apply" -l dry-run -d 'Print the plan and change nothing: exit 0 when there is nothing to do, 2 when there is'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from apply" -l prune -d 'Also archive the workspace\'s personas that no file names'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from apply" -l force -d 'Apply working copies in conflict too, overwriting the changes made on the server'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from apply" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from apply" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from apply" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from apply" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from help" -f -a "create" -d 'Generate a persona from a brief, watching the run live'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the workspace\'s personas, newest first'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from help" -f -a "get" -d 'Show one persona by id, slug or slug@vN'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from help" -f -a "versions" -d 'List a persona\'s versions'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from help" -f -a "fork" -d 'Fork a persona, optionally refining it with a new intent'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from help" -f -a "archive" -d 'Archive a persona (hidden from lists unless --archived; it keeps its slug)'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from help" -f -a "unarchive" -d 'Bring an archived persona back into lists'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from help" -f -a "pull" -d 'Write a persona, or every persona (--all), to YAML working copies'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from help" -f -a "push" -d 'Send the edits of YAML working copies to the server'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from help" -f -a "diff" -d 'Show how a working copy differs from the server'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from help" -f -a "edit" -d 'Edit a persona in your editor and push the result'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show where each working copy and brief of a folder stands against the workspace'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from help" -f -a "apply" -d 'Make the workspace hold what a folder of briefs and working copies says: plan, then apply'
complete -c persona -n "__fish_persona_using_subcommand personas; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c persona -n "__fish_persona_using_subcommand runs; and not __fish_seen_subcommand_from list get cancel tail help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand runs; and not __fish_seen_subcommand_from list get cancel tail help" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand runs; and not __fish_seen_subcommand_from list get cancel tail help" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand runs; and not __fish_seen_subcommand_from list get cancel tail help" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand runs; and not __fish_seen_subcommand_from list get cancel tail help" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand runs; and not __fish_seen_subcommand_from list get cancel tail help" -s h -l help -d 'Print help'
complete -c persona -n "__fish_persona_using_subcommand runs; and not __fish_seen_subcommand_from list get cancel tail help" -f -a "list" -d 'List runs, newest first'
complete -c persona -n "__fish_persona_using_subcommand runs; and not __fish_seen_subcommand_from list get cancel tail help" -f -a "get" -d 'Show a run: steps, tokens, cost, timing and error'
complete -c persona -n "__fish_persona_using_subcommand runs; and not __fish_seen_subcommand_from list get cancel tail help" -f -a "cancel" -d 'Cancel a queued or running run'
complete -c persona -n "__fish_persona_using_subcommand runs; and not __fish_seen_subcommand_from list get cancel tail help" -f -a "tail" -d 'Follow a run\'s events live, replaying from the start; survives dropped connections'
complete -c persona -n "__fish_persona_using_subcommand runs; and not __fish_seen_subcommand_from list get cancel tail help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from list" -l persona -d 'Only runs of this persona (id or slug)' -r
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from list" -l status -d 'Only runs with this status' -r -f -a "queued\t''
running\t''
completed\t''
failed\t''
canceled\t''"
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from list" -l limit -d 'How many to list (1 to 100; with --all, the page size)' -r
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from list" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from list" -l all -d 'Follow every page to the end'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from get" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from get" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from get" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from get" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from get" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from cancel" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from cancel" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from cancel" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from cancel" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from cancel" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from cancel" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from tail" -l since -d 'Start after this event id instead of replaying from the start' -r
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from tail" -l filter -d 'Show only events of this type (repeatable), e.g. step.completed' -r
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from tail" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from tail" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from tail" -l exit-status -d 'Exit with 8 when the run ended failed or canceled'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from tail" -l render -d 'Draw the persona as it fills in, applying each JSON patch: redrawn in place on a terminal; piped, a YAML document per change'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from tail" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from tail" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from tail" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from tail" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from help" -f -a "list" -d 'List runs, newest first'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from help" -f -a "get" -d 'Show a run: steps, tokens, cost, timing and error'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from help" -f -a "cancel" -d 'Cancel a queued or running run'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from help" -f -a "tail" -d 'Follow a run\'s events live, replaying from the start; survives dropped connections'
complete -c persona -n "__fish_persona_using_subcommand runs; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c persona -n "__fish_persona_using_subcommand mcp; and not __fish_seen_subcommand_from serve config help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand mcp; and not __fish_seen_subcommand_from serve config help" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand mcp; and not __fish_seen_subcommand_from serve config help" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand mcp; and not __fish_seen_subcommand_from serve config help" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand mcp; and not __fish_seen_subcommand_from serve config help" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand mcp; and not __fish_seen_subcommand_from serve config help" -s h -l help -d 'Print help'
complete -c persona -n "__fish_persona_using_subcommand mcp; and not __fish_seen_subcommand_from serve config help" -f -a "serve" -d 'Bridge an MCP host on stdio to the Persona MCP server'
complete -c persona -n "__fish_persona_using_subcommand mcp; and not __fish_seen_subcommand_from serve config help" -f -a "config" -d 'Print (or install) the configuration that makes an MCP host start the bridge'
complete -c persona -n "__fish_persona_using_subcommand mcp; and not __fish_seen_subcommand_from serve config help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c persona -n "__fish_persona_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l workspace -d 'The workspace whose personas the host sees (default: PERSONA_WORKSPACE, else the profile\'s)' -r
complete -c persona -n "__fish_persona_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l url -d 'The MCP server (default: the profile\'s; on `local`, the embedded server\'s /mcp)' -r
complete -c persona -n "__fish_persona_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l transport -d 'How to reach the server: `auto` tries Streamable HTTP, then the older HTTP+SSE transport' -r -f -a "auto\t'Streamable HTTP, falling back to HTTP+SSE when the server answers 400, 404 or 405'
streamable-http\t'Streamable HTTP (protocol 2025-03-26 and later)'
sse\t'The HTTP+SSE transport of protocol 2024-11-05'"
complete -c persona -n "__fish_persona_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l tool-names -d '`safe` renames tools to ^[a-zA-Z0-9_-]{1,64}$ for hosts that refuse dots (persona.invoke → persona_invoke); `original` keeps the server\'s names' -r -f -a "safe\t''
original\t''"
complete -c persona -n "__fish_persona_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand mcp; and __fish_seen_subcommand_from serve" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand mcp; and __fish_seen_subcommand_from serve" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand mcp; and __fish_seen_subcommand_from serve" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand mcp; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand mcp; and __fish_seen_subcommand_from config" -l client -d 'The MCP host to configure' -r -f -a "claude-desktop\t''
cursor\t''
windsurf\t''
vscode\t''"
complete -c persona -n "__fish_persona_using_subcommand mcp; and __fish_seen_subcommand_from config" -l workspace -d 'The workspace the bridge exposes (default: the profile\'s when the bridge starts)' -r
complete -c persona -n "__fish_persona_using_subcommand mcp; and __fish_seen_subcommand_from config" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand mcp; and __fish_seen_subcommand_from config" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand mcp; and __fish_seen_subcommand_from config" -l install -d 'Merge the entry into the host\'s config file instead of printing it'
complete -c persona -n "__fish_persona_using_subcommand mcp; and __fish_seen_subcommand_from config" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand mcp; and __fish_seen_subcommand_from config" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand mcp; and __fish_seen_subcommand_from config" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand mcp; and __fish_seen_subcommand_from config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "serve" -d 'Bridge an MCP host on stdio to the Persona MCP server'
complete -c persona -n "__fish_persona_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "config" -d 'Print (or install) the configuration that makes an MCP host start the bridge'
complete -c persona -n "__fish_persona_using_subcommand mcp; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and not __fish_seen_subcommand_from listen verify list create delete test deliveries replay help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand webhooks; and not __fish_seen_subcommand_from listen verify list create delete test deliveries replay help" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand webhooks; and not __fish_seen_subcommand_from listen verify list create delete test deliveries replay help" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and not __fish_seen_subcommand_from listen verify list create delete test deliveries replay help" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and not __fish_seen_subcommand_from listen verify list create delete test deliveries replay help" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and not __fish_seen_subcommand_from listen verify list create delete test deliveries replay help" -s h -l help -d 'Print help'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and not __fish_seen_subcommand_from listen verify list create delete test deliveries replay help" -f -a "listen" -d 'Forward the workspace\'s events to a local URL as they happen, signed as in production'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and not __fish_seen_subcommand_from listen verify list create delete test deliveries replay help" -f -a "verify" -d 'Check a captured delivery (signature header and body) against a signing secret'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and not __fish_seen_subcommand_from listen verify list create delete test deliveries replay help" -f -a "list" -d 'List webhook endpoints, newest first'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and not __fish_seen_subcommand_from listen verify list create delete test deliveries replay help" -f -a "create" -d 'Create an endpoint; prints its signing secret, which is shown this once'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and not __fish_seen_subcommand_from listen verify list create delete test deliveries replay help" -f -a "delete" -d 'Delete an endpoint with its deliveries'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and not __fish_seen_subcommand_from listen verify list create delete test deliveries replay help" -f -a "test" -d 'Send a webhook.test event to an endpoint and show how it answered'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and not __fish_seen_subcommand_from listen verify list create delete test deliveries replay help" -f -a "deliveries" -d 'List deliveries, newest first; `--status failed` is the dead-letter queue'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and not __fish_seen_subcommand_from listen verify list create delete test deliveries replay help" -f -a "replay" -d 'Deliver a delivery\'s event again: a dead-lettered one, or one a handler mishandled'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and not __fish_seen_subcommand_from listen verify list create delete test deliveries replay help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from listen" -l forward-to -d 'The local URL each event is POSTed to' -r
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from listen" -l events -d 'Only these event types, comma-separated (default: all)' -r
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from listen" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from listen" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from listen" -l print-secret -d 'Print the signing secret (whsec_...) as the first line on stdout'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from listen" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from listen" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from listen" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from listen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from verify" -l secret -d 'The endpoint\'s signing secret, whsec_...' -r
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from verify" -l header -d 'The signature header as received: \'Persona-Signature: t=...,v1=...\' or \'t=...,v1=...\'' -r
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from verify" -l tolerance -d 'Largest accepted distance of the signature\'s timestamp from now, in seconds' -r
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from verify" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from verify" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from verify" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from list" -l limit -d 'How many to list (1 to 100; with --all, the page size)' -r
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from list" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from list" -l all -d 'Follow every page to the end'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from create" -l url -d 'Where to POST events: an http or https URL' -r
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from create" -l events -d 'Event types to send, comma-separated (default: all), e.g. persona.created,run.failed' -r
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from create" -l description -d 'A note that tells this endpoint apart' -r
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from create" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from create" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from create" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from delete" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from delete" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from delete" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from delete" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from test" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from test" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from test" -l no-wait -d 'Return at once instead of waiting for the first attempt'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from test" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from test" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from test" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from deliveries" -l status -d 'Only deliveries with this status (failed: the dead-letter queue)' -r -f -a "pending\t''
succeeded\t''
failed\t''"
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from deliveries" -l endpoint -d 'Only deliveries to this endpoint (whk_...)' -r
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from deliveries" -l limit -d 'How many to list (1 to 100; with --all, the page size)' -r
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from deliveries" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from deliveries" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from deliveries" -l all -d 'Follow every page to the end'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from deliveries" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from deliveries" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from deliveries" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from deliveries" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from replay" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from replay" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from replay" -l no-wait -d 'Return at once instead of waiting for the first attempt'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from replay" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from replay" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from replay" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from replay" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from help" -f -a "listen" -d 'Forward the workspace\'s events to a local URL as they happen, signed as in production'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check a captured delivery (signature header and body) against a signing secret'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from help" -f -a "list" -d 'List webhook endpoints, newest first'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create an endpoint; prints its signing secret, which is shown this once'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete an endpoint with its deliveries'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from help" -f -a "test" -d 'Send a webhook.test event to an endpoint and show how it answered'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from help" -f -a "deliveries" -d 'List deliveries, newest first; `--status failed` is the dead-letter queue'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from help" -f -a "replay" -d 'Deliver a delivery\'s event again: a dead-lettered one, or one a handler mishandled'
complete -c persona -n "__fish_persona_using_subcommand webhooks; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c persona -n "__fish_persona_using_subcommand dev; and not __fish_seen_subcommand_from serve keys signin-url help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand dev; and not __fish_seen_subcommand_from serve keys signin-url help" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand dev; and not __fish_seen_subcommand_from serve keys signin-url help" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand dev; and not __fish_seen_subcommand_from serve keys signin-url help" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand dev; and not __fish_seen_subcommand_from serve keys signin-url help" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand dev; and not __fish_seen_subcommand_from serve keys signin-url help" -s h -l help -d 'Print help'
complete -c persona -n "__fish_persona_using_subcommand dev; and not __fish_seen_subcommand_from serve keys signin-url help" -f -a "serve" -d 'Run the embedded Persona API on a local address'
complete -c persona -n "__fish_persona_using_subcommand dev; and not __fish_seen_subcommand_from serve keys signin-url help" -f -a "keys" -d 'Manage API keys of the local store'
complete -c persona -n "__fish_persona_using_subcommand dev; and not __fish_seen_subcommand_from serve keys signin-url help" -f -a "signin-url" -d 'Print a new one-time link that signs a browser in to approve device logins'
complete -c persona -n "__fish_persona_using_subcommand dev; and not __fish_seen_subcommand_from serve keys signin-url help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from serve" -l addr -d 'Address to listen on; port 0 picks a free port' -r
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from serve" -l data-dir -d 'The store\'s directory (default: PERSONA_DATA_DIR, else the platform data directory)' -r -F
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from serve" -l plan -d 'The plan whose rate limits apply' -r -f -a "free\t''
pro\t''
team\t''
unlimited\t''"
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from serve" -l rate-window -d 'Length of the rate-limit window in seconds' -r
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from serve" -l step-delay-ms -d 'Pause after each pipeline step, in milliseconds, to watch runs live (default: PERSONA_STEP_DELAY_MS, else 0)' -r
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from serve" -l keepalive -d 'Seconds of idle time before an event stream sends a keepalive comment' -r
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from serve" -l device-code-ttl -d 'Seconds a device login code (`persona auth login`) stays usable' -r
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from serve" -l device-poll-interval -d 'Least number of seconds between two polls of one device login code' -r
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from serve" -l webhook-retry-schedule -d 'Seconds between the attempts of a webhook delivery (one attempt more than waits, each wait give or take 20%), then the dead-letter queue' -r
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from serve" -l retention-days -d 'Days webhook events and their deliveries are kept once delivered or dead-lettered (and can be replayed); events no webhook or listen stream wants are not kept at all' -r
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from serve" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from serve" -l allow-private-webhooks -d 'Deliver webhooks to loopback and private-network addresses even when listening on another address than loopback (link-local and metadata addresses stay refused)'
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from serve" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from serve" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from keys" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from keys" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from keys" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from keys" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from keys" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from keys" -s h -l help -d 'Print help'
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from keys" -f -a "create" -d 'Create a key and print it once'
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from keys" -f -a "approve" -d 'Approve a waiting device login (`persona auth login`) by its code, without a browser'
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from keys" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from signin-url" -l addr -d 'The address the server listens on, as `persona dev serve --addr` got it' -r
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from signin-url" -l data-dir -d 'The server\'s store directory (default: PERSONA_DATA_DIR, else the platform data directory)' -r -F
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from signin-url" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from signin-url" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from signin-url" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from signin-url" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from help" -f -a "serve" -d 'Run the embedded Persona API on a local address'
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from help" -f -a "keys" -d 'Manage API keys of the local store'
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from help" -f -a "signin-url" -d 'Print a new one-time link that signs a browser in to approve device logins'
complete -c persona -n "__fish_persona_using_subcommand dev; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c persona -n "__fish_persona_using_subcommand api" -s X -l method -d 'The HTTP method (default GET, or POST when fields or --input are given)' -r
complete -c persona -n "__fish_persona_using_subcommand api" -s f -l raw-field -d 'A string field KEY=VALUE of the JSON body (of the query for GET); `key[sub]=v` nests' -r
complete -c persona -n "__fish_persona_using_subcommand api" -s F -l field -d 'A typed field: numbers, true, false and null as JSON, @FILE for a file\'s text (@- stdin)' -r
complete -c persona -n "__fish_persona_using_subcommand api" -l input -d 'Send FILE (- for stdin) as the body, as it is; fields then go to the query' -r
complete -c persona -n "__fish_persona_using_subcommand api" -s H -l header -d 'Add a header `Name: value` (repeatable); the profile\'s key is sent, never yours' -r
complete -c persona -n "__fish_persona_using_subcommand api" -l jq -d 'Filter the answer with a jq expression (each page with --paginate, each event of a stream); strings print without quotes' -r
complete -c persona -n "__fish_persona_using_subcommand api" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand api" -l profile -d 'The profile (backend and key) to use; `local` is the embedded server' -r
complete -c persona -n "__fish_persona_using_subcommand api" -s i -l include -d 'Print the request and the answer\'s status line and headers first (the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand api" -l silent -d 'Print nothing on stdout; the exit code still tells how it went'
complete -c persona -n "__fish_persona_using_subcommand api" -l paginate -d 'Follow `next_cursor` to the last page, printing one JSON array of every page\'s items'
complete -c persona -n "__fish_persona_using_subcommand api" -l json -d 'Print machine-readable JSON on stdout (errors too)'
complete -c persona -n "__fish_persona_using_subcommand api" -s q -l quiet -d 'Print only data and errors, no progress or status messages'
complete -c persona -n "__fish_persona_using_subcommand api" -s v -l verbose -d 'Show HTTP requests on stderr (-vv adds headers, with the key redacted)'
complete -c persona -n "__fish_persona_using_subcommand api" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c persona -n "__fish_persona_using_subcommand completion" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c persona -n "__fish_persona_using_subcommand completion" -l static -d 'A script that completes commands and flags only, without running `persona`'
complete -c persona -n "__fish_persona_using_subcommand completion" -s h -l help -d 'Print help'
complete -c persona -n "__fish_persona_using_subcommand help; and not __fish_seen_subcommand_from auth chat personas runs mcp webhooks dev api completion help" -f -a "auth" -d 'Log in to a Persona API, and see which key and workspace each profile uses'
complete -c persona -n "__fish_persona_using_subcommand help; and not __fish_seen_subcommand_from auth chat personas runs mcp webhooks dev api completion help" -f -a "chat" -d 'Talk to a persona: one message, or an interactive session'
complete -c persona -n "__fish_persona_using_subcommand help; and not __fish_seen_subcommand_from auth chat personas runs mcp webhooks dev api completion help" -f -a "personas" -d 'Create, read, version and edit personas'
complete -c persona -n "__fish_persona_using_subcommand help; and not __fish_seen_subcommand_from auth chat personas runs mcp webhooks dev api completion help" -f -a "runs" -d 'Follow and manage generation runs'
complete -c persona -n "__fish_persona_using_subcommand help; and not __fish_seen_subcommand_from auth chat personas runs mcp webhooks dev api completion help" -f -a "mcp" -d 'Bridge MCP hosts (Claude Desktop, Cursor, ...) to personas over stdio, and configure them'
complete -c persona -n "__fish_persona_using_subcommand help; and not __fish_seen_subcommand_from auth chat personas runs mcp webhooks dev api completion help" -f -a "webhooks" -d 'Receive signed events: endpoints, deliveries and replays, `listen` for local development'
complete -c persona -n "__fish_persona_using_subcommand help; and not __fish_seen_subcommand_from auth chat personas runs mcp webhooks dev api completion help" -f -a "dev" -d 'Run the embedded Persona API for other programs, and manage its keys'
complete -c persona -n "__fish_persona_using_subcommand help; and not __fish_seen_subcommand_from auth chat personas runs mcp webhooks dev api completion help" -f -a "api" -d 'Call any endpoint of the API with the profile\'s key: paging, event streams and jq built in'
complete -c persona -n "__fish_persona_using_subcommand help; and not __fish_seen_subcommand_from auth chat personas runs mcp webhooks dev api completion help" -f -a "completion" -d 'Print the script that completes commands and live names in a shell'
complete -c persona -n "__fish_persona_using_subcommand help; and not __fish_seen_subcommand_from auth chat personas runs mcp webhooks dev api completion help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "login" -d 'Log in to a Persona API and store the key in the OS keyring'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "status" -d 'Show every profile: API, workspace, key source, expiry, and whether the server accepts it'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "token" -d 'Print the active profile\'s API key (for scripts)'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "switch" -d 'Make another profile the active one'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "logout" -d 'Revoke the key on the server and forget it here'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from personas" -f -a "create" -d 'Generate a persona from a brief, watching the run live'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from personas" -f -a "list" -d 'List the workspace\'s personas, newest first'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from personas" -f -a "get" -d 'Show one persona by id, slug or slug@vN'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from personas" -f -a "versions" -d 'List a persona\'s versions'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from personas" -f -a "fork" -d 'Fork a persona, optionally refining it with a new intent'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from personas" -f -a "archive" -d 'Archive a persona (hidden from lists unless --archived; it keeps its slug)'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from personas" -f -a "unarchive" -d 'Bring an archived persona back into lists'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from personas" -f -a "pull" -d 'Write a persona, or every persona (--all), to YAML working copies'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from personas" -f -a "push" -d 'Send the edits of YAML working copies to the server'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from personas" -f -a "diff" -d 'Show how a working copy differs from the server'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from personas" -f -a "edit" -d 'Edit a persona in your editor and push the result'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from personas" -f -a "status" -d 'Show where each working copy and brief of a folder stands against the workspace'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from personas" -f -a "apply" -d 'Make the workspace hold what a folder of briefs and working copies says: plan, then apply'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from runs" -f -a "list" -d 'List runs, newest first'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from runs" -f -a "get" -d 'Show a run: steps, tokens, cost, timing and error'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from runs" -f -a "cancel" -d 'Cancel a queued or running run'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from runs" -f -a "tail" -d 'Follow a run\'s events live, replaying from the start; survives dropped connections'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from mcp" -f -a "serve" -d 'Bridge an MCP host on stdio to the Persona MCP server'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from mcp" -f -a "config" -d 'Print (or install) the configuration that makes an MCP host start the bridge'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from webhooks" -f -a "listen" -d 'Forward the workspace\'s events to a local URL as they happen, signed as in production'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from webhooks" -f -a "verify" -d 'Check a captured delivery (signature header and body) against a signing secret'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from webhooks" -f -a "list" -d 'List webhook endpoints, newest first'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from webhooks" -f -a "create" -d 'Create an endpoint; prints its signing secret, which is shown this once'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from webhooks" -f -a "delete" -d 'Delete an endpoint with its deliveries'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from webhooks" -f -a "test" -d 'Send a webhook.test event to an endpoint and show how it answered'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from webhooks" -f -a "deliveries" -d 'List deliveries, newest first; `--status failed` is the dead-letter queue'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from webhooks" -f -a "replay" -d 'Deliver a delivery\'s event again: a dead-lettered one, or one a handler mishandled'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from dev" -f -a "serve" -d 'Run the embedded Persona API on a local address'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from dev" -f -a "keys" -d 'Manage API keys of the local store'
complete -c persona -n "__fish_persona_using_subcommand help; and __fish_seen_subcommand_from dev" -f -a "signin-url" -d 'Print a new one-time link that signs a browser in to approve device logins'
