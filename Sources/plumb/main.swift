import PlumbCLI

// Everything lives in PlumbCLI so tests can drive the same command tree.
PlumbCommand.runMain()
