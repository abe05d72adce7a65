# Live completion for persona: `persona` itself offers the candidates, with the names of
# personas, runs, conversations, profiles and webhook endpoints from the active profile.
# Enable it with `source <(persona completion bash)` in ~/.bashrc, or save it as
# ~/.local/share/bash-completion/completions/persona.
_persona() {
    local IFS=$'\013'
    COMPREPLY=( $( _PERSONA_COMPLETE_WORD="$2" PERSONA_COMPLETE=bash persona -- "${COMP_LINE:0:COMP_POINT}" 2>/dev/null </dev/null ) )
    if [[ $? != 0 ]]; then
        unset COMPREPLY
    elif compopt +o nospace 2>/dev/null && [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *[/=@] ]]; then
        compopt -o nospace
    fi
}
if [[ ${BASH_VERSINFO[0]} -gt 4 || ${BASH_VERSINFO[0]} -eq 4 && ${BASH_VERSINFO[1]} -ge 4 ]]; then
    complete -o nospace -o nosort -F _persona persona
else
    complete -o nospace -F _persona persona
fi
