# Curves of bench/mycroft/run.sh (gnuplot 5, Debian gnuplot-nox).
#   gnuplot -e "dat='results/shuttle.dat'; out='docs/img/mycroft_shuttle.png'; ttl='...'; ylab='...'; m2='binning'" bench/mycroft/plot.gp
# dat columns: k, none, full, feature mean/sd, m2 mean/sd, random mean/sd
set terminal pngcairo size 900,560 enhanced font 'DejaVu Sans,11'
set output out
set title ttl font ',10'
set xlabel 'budget k (rows each owner shares)'
set ylabel ylab
if (!exists('keypos')) keypos = 'top left'
set key @keypos box opaque
set grid
set logscale x
set xtics (5, 10, 20, 50, 100)
set xrange [4:125]
set yrange [0:*]
set style line 1 lc rgb '#888888' dt 2 lw 2
set style line 6 lc rgb '#000000' dt 3 lw 2
set style line 2 lc rgb '#d62728' pt 7 lw 2
set style line 3 lc rgb '#1f77b4' pt 5 lw 2
set style line 5 lc rgb '#9467bd' pt 11 lw 2
set bars small
plot dat u 1:3 w lines ls 6 t 'full information (the whole owner)', \
     dat u 1:2 w lines ls 1 t 'no sharing', \
     dat u ($1*0.97):4:5 w yerrorbars ls 2 notitle, dat u ($1*0.97):4 w linespoints ls 2 t 'feature', \
     dat u ($1*1.00):6:7 w yerrorbars ls 3 notitle, dat u ($1*1.00):6 w linespoints ls 3 t m2, \
     dat u ($1*1.03):8:9 w yerrorbars ls 5 notitle, dat u ($1*1.03):8 w linespoints ls 5 t 'random (labels known)'
