complete --keep-order --exclusive --command persona --arguments "(PERSONA_COMPLETE=fish persona -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
