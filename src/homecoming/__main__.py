from homecoming.cli.main import main

main()
