"""The engine: schedules the stages and checks what they built.

In: a project.  Out: every artifact under ``build/``, incrementally.
``stages`` declares each stage once (the table) with its step functions;
``build`` schedules steps from the table, keeps their state and outcomes;
``dependencies`` records what each step reads; ``executors`` runs steps on
the local pool or Dask; ``outputs`` writes atomically; ``check`` runs the
release gates with the readers in ``inspection``.
"""
