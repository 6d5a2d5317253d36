from yomikaki.cli import main

main()
