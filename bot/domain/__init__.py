"""The pure core: what a lead is, how hot it is, what a command says, what is due.

Imports the standard library and dateparser only, never storage, handlers or
Slack: storage reads and writes these types, handlers show them.
"""
