# ops/s against payload size (the ASCII sweep) for the C++ library, node:crypto, the TypeScript
# original's noble model and a raw EVP seal. Usage: gnuplot -e "dat='sweep.dat'; out='x.png'" plot.gp
set terminal pngcairo size 1200,480 font ",10" noenhanced
set output out
set logscale xy
set grid
set key bottom left
set xlabel "plaintext JSON bytes"
set ylabel "operations per second (CPU time)"
set format x "%.0s%cB"
set multiplot layout 1,2
set title "encrypt"
plot dat using 1:2 with linespoints title "C++ connector-crypto", \
     dat using 1:3 with linespoints title "node:crypto", \
     dat using 1:4 with linespoints title "TypeScript original (@noble/ciphers)", \
     dat using 1:5 with linespoints dashtype 2 title "raw EVP AES-256-GCM seal"
set title "decrypt"
plot dat using 1:6 with linespoints title "C++ connector-crypto", \
     dat using 1:7 with linespoints title "node:crypto", \
     dat using 1:8 with linespoints title "TypeScript original (@noble/ciphers)", \
     dat using 1:5 with linespoints dashtype 2 title "raw EVP AES-256-GCM seal"
unset multiplot
