# CMake generated Testfile for 
# Source directory: /work/main/reports
# Build directory: /work/main/build/reports
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
