; Definitions in Dockerfiles (`Dockerfile`, `Containerfile`, `Dockerfile.<variant>`, `*.dockerfile`).
; Captures: @name, @definition.<kind>, @scope (see queries/README.md).
; A named build stage, `FROM python:3.12-slim AS builder`. The tree holds only its FROM line; the
; symbol layer extends a stage to the line before the next FROM, so the RUN and COPY lines a change
; touched are inside the stage they belong to. An unnamed stage has no name to look up, and is left out.

(from_instruction
  as: (image_alias) @name) @definition.stage
