# bash completion for quire.
# The commands and each command's options are read from quire's own help (`quire --help`,
# `quire COMMAND --help`), so they follow the installed version; destinations come from the
# server (`quire lpstat -e`, with the -h given on the line).

_quire_commands() {
    quire --help 2>/dev/null |
        awk '/^Commands:/ { c = 1; next } /^$/ { c = 0 } c && /^  [a-z]/ { print $1 }'
}

# One line per option of a command's usage (`--[no-]name` as both): the option, then the word
# naming its value if it takes one ("destination", "[printer(s)]", ...; descriptions start
# with a capital letter).
_quire_usage() {
    quire "$1" --help 2>/dev/null |
        awk '/^--\[no-\]/ { o = substr($1, 8); print "--" o; print "--no-" o; next }
             /^--?[A-Za-z]/ { print $1, ($2 ~ /^[a-z[]/ ? $2 : "") }'
}

_quire_destinations() {
    local i server=
    for ((i = 1; i < COMP_CWORD; i++)); do
        [[ ${COMP_WORDS[i]} == -h ]] && server=${COMP_WORDS[i + 1]}
    done
    quire lpstat ${server:+-h "$server"} -e 2>/dev/null
}

_quire() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    if ((COMP_CWORD == 1)); then
        COMPREPLY=($(compgen -W "$(_quire_commands) --help --version" -- "$cur"))
        return
    fi
    local cmd=${COMP_WORDS[1]} usage value
    usage=$(_quire_usage "$cmd")
    value=$(awk -v o="$prev" '$1 == o { print $2; exit }' <<<"$usage")
    case $value in
        destination* | printer* | class* | "[destination"* | "[printer"* | "[class"*)
            COMPREPLY=($(compgen -W "$(_quire_destinations)" -- "$cur"))
            return
            ;;
        "" | "["*) ;;
        *)
            # A value quire cannot list (a number, a title, a server).
            COMPREPLY=()
            return
            ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(awk '{ print $1 }' <<<"$usage" | sort -u) --help" -- "$cur"))
    elif [[ $cmd == lp ]]; then
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}

complete -F _quire quire
