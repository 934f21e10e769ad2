from wdlint.cli import main

main()
