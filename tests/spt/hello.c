/* spt test guest: print the command line, one argument a line, and exit. */
#include <stdio.h>

#include <mote/mote.h>

int mote_main(int argc, char **argv)
{
    printf("hello from spt: %d arguments\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=<%s>\n", i, argv[i]);
    return argc > 1 && argv[1][0] == 'x' ? 3 : 0;
}
