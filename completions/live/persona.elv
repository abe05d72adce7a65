
set edit:completion:arg-completer[persona] = { |@words|
    var index = (count $words)
    set index = (- $index 1)

    put (env _CLAP_IFS="\n" _CLAP_COMPLETE_INDEX=(to-string $index) PERSONA_COMPLETE="elvish" persona -- $@words) | to-lines
}

