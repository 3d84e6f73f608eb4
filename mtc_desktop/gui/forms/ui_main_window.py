# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'main_window.ui'
##
## Created by: Qt User Interface Compiler
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QMetaObject)
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QSizePolicy, QSpacerItem, QStackedWidget, QStatusBar, QVBoxLayout, QWidget)

class Ui_MainWindow(object):
    def setupUi(self, MainWindow):
        if not MainWindow.objectName():
            MainWindow.setObjectName(u"MainWindow")
        MainWindow.resize(1080, 720)
        self.centralWidget = QWidget(MainWindow)
        self.centralWidget.setObjectName(u"centralWidget")
        self.centralLayout = QVBoxLayout(self.centralWidget)
        self.centralLayout.setSpacing(0)
        self.centralLayout.setObjectName(u"centralLayout")
        self.centralLayout.setContentsMargins(0, 0, 0, 0)
        self.header = QFrame(self.centralWidget)
        self.header.setObjectName(u"header")
        self.headerLayout = QHBoxLayout(self.header)
        self.headerLayout.setSpacing(16)
        self.headerLayout.setObjectName(u"headerLayout")
        self.headerLayout.setContentsMargins(20, 10, 20, 10)
        self.whoLayout = QVBoxLayout()
        self.whoLayout.setSpacing(2)
        self.whoLayout.setObjectName(u"whoLayout")
        self.nameLabel = QLabel(self.header)
        self.nameLabel.setObjectName(u"nameLabel")

        self.whoLayout.addWidget(self.nameLabel)

        self.modeLabel = QLabel(self.header)
        self.modeLabel.setObjectName(u"modeLabel")

        self.whoLayout.addWidget(self.modeLabel)


        self.headerLayout.addLayout(self.whoLayout)

        self.headerSpacer = QSpacerItem(40, 10, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.headerLayout.addItem(self.headerSpacer)

        self.navLayout = QHBoxLayout()
        self.navLayout.setSpacing(14)
        self.navLayout.setObjectName(u"navLayout")

        self.headerLayout.addLayout(self.navLayout)


        self.centralLayout.addWidget(self.header)

        self.breadcrumbLabel = QLabel(self.centralWidget)
        self.breadcrumbLabel.setObjectName(u"breadcrumbLabel")

        self.centralLayout.addWidget(self.breadcrumbLabel)

        self.pages = QStackedWidget(self.centralWidget)
        self.pages.setObjectName(u"pages")

        self.centralLayout.addWidget(self.pages)

        MainWindow.setCentralWidget(self.centralWidget)
        self.statusBar = QStatusBar(MainWindow)
        self.statusBar.setObjectName(u"statusBar")
        MainWindow.setStatusBar(self.statusBar)

        self.retranslateUi(MainWindow)

        QMetaObject.connectSlotsByName(MainWindow)
    # setupUi

    def retranslateUi(self, MainWindow):
        MainWindow.setWindowTitle(QCoreApplication.translate("MainWindow", u"MTC Desktop", None))
#if QT_CONFIG(accessibility)
        self.nameLabel.setAccessibleName(QCoreApplication.translate("MainWindow", u"Logged in as", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(accessibility)
        self.modeLabel.setAccessibleName(QCoreApplication.translate("MainWindow", u"Mode", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(accessibility)
        self.breadcrumbLabel.setAccessibleName(QCoreApplication.translate("MainWindow", u"Where you are", None))
#endif // QT_CONFIG(accessibility)
    # retranslateUi

