; References in Dockerfiles.
; Captures: @reference.<kind> on the name at the use site (see queries/README.md).

; `FROM builder AS tests`: a stage built on an earlier one (any image name is captured; only those
; that name a stage resolve to a definition).
(from_instruction
  (image_spec
    name: (image_name) @reference.identifier))

; The instruction itself (`CMD`, `RUN`, `COPY`…): a question about `CMD` is about the stage whose
; CMD it is.
([
  "FROM" "RUN" "CMD" "COPY" "ADD" "ENTRYPOINT" "ENV" "ARG" "EXPOSE" "WORKDIR" "USER"
  "HEALTHCHECK" "LABEL" "VOLUME" "SHELL" "STOPSIGNAL" "ONBUILD"
] @reference.word)

; Every word of a shell command (`apt-get install libpq5`) and of a COPY's flags
; (`--from=builder`): packages, tools and stages named in text the grammar does not split.
(shell_fragment) @words.word
(copy_instruction (param) @words.word)
