# Curves of bench/acquisition/run.sh (gnuplot 5, Debian gnuplot-nox).
#   gnuplot -e "dat='results/fashion.dat'; out='docs/img/acquisition_fashion.png'; \
#               ttl='...'; ylab='test accuracy'" bench/acquisition/plot.gp
# dat columns: budget, none mean/sd, sps mean/sd, ea mean/sd, uniform mean/sd, random mean/sd
set terminal pngcairo size 900,560 enhanced font 'DejaVu Sans,11'
set output out
set title ttl
set xlabel 'budget B (records bought)'
set ylabel ylab
set key top left box opaque
set grid
set logscale x
set xtics ('1k' 1000, '2k' 2000, '5k' 5000, '10k' 10000)
set xrange [850:11800]
set style line 1 lc rgb '#888888' dt 2 lw 2
set style line 2 lc rgb '#d62728' pt 7 lw 2
set style line 3 lc rgb '#1f77b4' pt 5 lw 2
set style line 4 lc rgb '#2ca02c' pt 9 lw 2
set style line 5 lc rgb '#9467bd' pt 11 lw 2
set bars small
plot dat u 1:2 w lines ls 1 t 'no acquisition (D_{init})', \
     dat u ($1*0.985):4:5 w yerrorbars ls 2 notitle, dat u ($1*0.985):4 w linespoints ls 2 t 'SPS', \
     dat u ($1*0.995):6:7 w yerrorbars ls 3 notitle, dat u ($1*0.995):6 w linespoints ls 3 t 'EA', \
     dat u ($1*1.005):8:9 w yerrorbars ls 4 notitle, dat u ($1*1.005):8 w linespoints ls 4 t 'uniform', \
     dat u ($1*1.015):10:11 w yerrorbars ls 5 notitle, dat u ($1*1.015):10 w linespoints ls 5 t 'random'
